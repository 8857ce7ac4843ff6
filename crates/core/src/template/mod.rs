//! A faithful Go `text/template` engine with sprig and Helmfile functions.
