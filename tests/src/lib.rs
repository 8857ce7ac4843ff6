//! Support for the end-to-end tests of the `windlass` binary: temp projects, tool discovery, filters.
