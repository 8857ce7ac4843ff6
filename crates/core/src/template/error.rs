//! Template errors: where in the source, what failed, and Go's own wording of it.

use crate::location::Location;

/// A template failed to parse or to render.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The source is not a valid template.
    #[error("{location}: {message}")]
    Parse {
        /// The file and line of the offending token.
        location: Location,
        /// What is wrong, in Go's words (`unexpected EOF`).
        message: String,
    },
    /// An action failed while rendering.
    #[error("{location}: {message} (in <{action}> of template {template:?})")]
    Exec {
        /// The file, line and column (1-based; Go's own text counts columns from 0) of the
        /// failing action.
        location: Location,
        /// The name of the template being executed (a `define`d one, or the file's).
        template: String,
        /// The failing action, printed as Go prints it (`.Values.replicas`).
        action: String,
        /// What failed, in Go's words (`map has no entry for key "replicas"`).
        message: String,
    },
}

impl TemplateError {
    /// The error exactly as Go's `text/template` (and so Helmfile) words it, e.g.
    /// `template: a.gotmpl:1:10: executing "a.gotmpl" at <.x>: map has no entry for key "x"`.
    pub fn go_message(&self) -> String {
        match self {
            TemplateError::Parse { location, message } => {
                format!(
                    "template: {}:{}: {message}",
                    location.file.display(),
                    location.line
                )
            }
            TemplateError::Exec {
                location,
                template,
                action,
                message,
            } => format!(
                "template: {}:{}:{}: executing {template:?} at <{action}>: {message}",
                location.file.display(),
                location.line,
                location.column.saturating_sub(1)
            ),
        }
    }

    /// The location the error points at.
    pub fn location(&self) -> &Location {
        match self {
            TemplateError::Parse { location, .. } | TemplateError::Exec { location, .. } => {
                location
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_message_matches_text_template() {
        let e = TemplateError::Exec {
            location: Location::new("v.gotmpl", 1, 11),
            template: "v.gotmpl".into(),
            action: ".Values.x".into(),
            message: "map has no entry for key \"x\"".into(),
        };
        assert_eq!(
            e.go_message(),
            "template: v.gotmpl:1:10: executing \"v.gotmpl\" at <.Values.x>: map has no entry for key \"x\""
        );
        assert_eq!(
            e.to_string(),
            "v.gotmpl:1:11: map has no entry for key \"x\" (in <.Values.x> of template \"v.gotmpl\")"
        );
    }
}
