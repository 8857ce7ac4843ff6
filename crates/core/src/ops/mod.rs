//! Operations on a loaded project: build, list, graph, and later template, diff, sync.
