//! Users: an admin who may do everything, and a read-only user who may only get, list and watch
//! (everything else is a 403 `Status`), so read-only drift jobs can be tested.
//!
//! client-go (kubectl, helm) sends no credentials to a plain-HTTP server: it applies a
//! kubeconfig user's token only over TLS. So the read-only user is also an address: requests under
//! the path prefix [`READ_ONLY_PREFIX`] are read-only, whatever they carry. Clients that do send
//! bearer tokens over HTTP get the user of their token; a request without one, outside the
//! prefix, is the admin.

use crate::status::ApiError;

/// The path prefix of the read-only user's server address.
pub const READ_ONLY_PREFIX: &str = "/read-only";

/// The two users' tokens (random per server).
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The admin's token.
    pub admin: String,
    /// The read-only user's token.
    pub read_only: String,
}

/// Who sent a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum User {
    /// May do everything.
    Admin,
    /// May only read (get, list, watch).
    ReadOnly,
}

impl User {
    /// The user name in kubeconfigs and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::ReadOnly => "read-only",
        }
    }

    /// Whether the user may use `verb` (`get`, `list`, `watch`, `create`, `patch`...).
    pub fn may(self, verb: &str) -> bool {
        self == Self::Admin || matches!(verb, "get" | "list" | "watch")
    }
}

impl Tokens {
    /// Two fresh random tokens.
    pub fn new() -> Self {
        Self {
            admin: crate::clock::token(16),
            read_only: crate::clock::token(16),
        }
    }

    /// The user of a request to `path` with this `Authorization` header, and the API path
    /// (without the read-only prefix); an unknown token is a 401.
    pub fn authenticate<'p>(
        &self,
        path: &'p str,
        authorization: Option<&str>,
    ) -> Result<(User, &'p str), ApiError> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim);
        let user = match token {
            None => User::Admin,
            Some(token) if token == self.admin => User::Admin,
            Some(token) if token == self.read_only => User::ReadOnly,
            Some(_) => return Err(ApiError::unauthorized()),
        };
        match path.strip_prefix(READ_ONLY_PREFIX) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => Ok((User::ReadOnly, rest)),
            _ => Ok((user, path)),
        }
    }
}

impl Default for Tokens {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_or_the_token_makes_a_request_read_only() {
        let tokens = Tokens::new();
        let admin = format!("Bearer {}", tokens.admin);
        let read_only = format!("Bearer {}", tokens.read_only);
        assert_eq!(
            tokens.authenticate("/api/v1", None),
            Ok((User::Admin, "/api/v1"))
        );
        assert_eq!(
            tokens.authenticate("/api/v1", Some(&admin)),
            Ok((User::Admin, "/api/v1"))
        );
        assert_eq!(
            tokens.authenticate("/api/v1", Some(&read_only)),
            Ok((User::ReadOnly, "/api/v1"))
        );
        assert_eq!(
            tokens.authenticate("/read-only/api/v1", Some(&admin)),
            Ok((User::ReadOnly, "/api/v1"))
        );
        assert_eq!(
            tokens.authenticate("/read-onlyx/api", None),
            Ok((User::Admin, "/read-onlyx/api"))
        );
        assert!(tokens.authenticate("/api", Some("Bearer nope")).is_err());
    }
}
