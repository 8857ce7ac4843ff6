//! Unit tests of the engine on small templates.
