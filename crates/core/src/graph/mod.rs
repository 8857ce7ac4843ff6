//! The release dependency graph: release ids, `needs`, selectors and ordering.
