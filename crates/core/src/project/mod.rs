//! Loading and validating a project in either layout (charts.yaml + environments, or Helmfile).
