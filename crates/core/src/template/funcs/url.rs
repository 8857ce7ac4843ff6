//! sprig's `urlParse` and `urlJoin` over a port of Go's `net/url` (parsing, escaping, and
//! `URL.String`), so templates see Go's field values and Go's error texts.

use std::collections::BTreeMap;

use super::Param::{Map, Str};
use super::{Registry, s};
use crate::template::format::go_quote;
use crate::template::value::{MapRef, Value};

pub(super) fn register(r: &mut Registry) {
    r.add("urlParse", &[Str], None, |_, a| {
        let u = parse(s(&a[0])).map_err(|e| format!("unable to parse url: {e}"))?;
        let user = u.user.as_ref().map(Userinfo::encoded).unwrap_or_default();
        let fields = [
            ("scheme", u.scheme.clone()),
            ("host", u.host.clone()),
            ("hostname", u.hostname().to_owned()),
            ("path", u.path.clone()),
            ("query", u.raw_query.clone()),
            ("opaque", u.opaque.clone()),
            ("fragment", u.fragment.clone()),
            ("userinfo", user),
        ];
        let map: BTreeMap<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Value::String(v)))
            .collect();
        Ok(Value::Map(MapRef::new(map)))
    });
    r.add("urlJoin", &[Map], None, |_, a| {
        let field = |key: &str| -> Result<String, String> {
            let Value::Map(m) = &a[0] else {
                return Ok(String::new());
            };
            match m.get(key) {
                None => Ok(String::new()),
                Some(Value::String(v)) => Ok(v),
                Some(Value::Nil) => Err(NIL_DEREF.into()),
                Some(v) => Err(format!(
                    "unable to parse {key} key, must be of type string, but {} found",
                    v.kind_name()
                )),
            }
        };
        let mut u = Url {
            scheme: field("scheme")?,
            host: field("host")?,
            path: field("path")?,
            raw_query: field("query")?,
            opaque: field("opaque")?,
            fragment: field("fragment")?,
            ..Url::default()
        };
        let userinfo = field("userinfo")?;
        if !userinfo.is_empty() {
            let raw = format!("proto://{userinfo}@host");
            u.user = parse(&raw)
                .map_err(|e| format!("unable to parse userinfo in dict: {e}"))?
                .user;
        }
        Ok(Value::String(u.to_string()))
    });
}

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// A parsed URL, with Go's field meanings (`path` and `fragment` decoded, the raw forms kept
/// only when they differ from the default encoding).
#[derive(Debug, Default, Clone)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<Userinfo>,
    host: String,
    path: String,
    raw_path: String,
    force_query: bool,
    raw_query: String,
    fragment: String,
    raw_fragment: String,
}

#[derive(Debug, Clone)]
struct Userinfo {
    username: String,
    password: Option<String>,
}

impl Userinfo {
    /// Go's `Userinfo.String`: `user[:password]`, escaped.
    fn encoded(&self) -> String {
        let mut out = escape(&self.username, Mode::UserPassword);
        if let Some(p) = &self.password {
            out.push(':');
            out.push_str(&escape(p, Mode::UserPassword));
        }
        out
    }
}

/// The part of a URL being escaped or unescaped (Go's `encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    QueryComponent,
    Fragment,
}

/// RFC 3986's sub-delims.
fn sub_delim(c: u8) -> bool {
    b"!$&'()*+,;=".contains(&c)
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    // Hosts keep RFC 3986's sub-delims, the `:` of a port, the brackets of IPv6 and what Go
    // lets through besides.
    if matches!(mode, Mode::Host | Mode::Zone) && (sub_delim(c) || b":[]<>\"".contains(&c)) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::QueryComponent => return true,
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    !(mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

/// Go's `escape`.
pub(super) fn escape(s: &str, mode: Mode) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c == b' ' && mode == Mode::QueryComponent {
            out.push('+');
        } else if should_escape(c, mode) {
            out.push('%');
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 15)]));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

fn unhex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Go's `unescape`, with its `EscapeError` and `InvalidHostError` texts.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    return Err(escape_error(&b[i..(i + 3).min(b.len())]));
                }
                let v = (unhex(b[i + 1]) << 4) | unhex(b[i + 2]);
                let pct25 = &s[i..i + 3] == "%25";
                if mode == Mode::Host && unhex(b[i + 1]) < 8 && !pct25 {
                    return Err(escape_error(&b[i..i + 3]));
                }
                if mode == Mode::Zone && !pct25 && v != b' ' && should_escape(v, Mode::Host) {
                    return Err(escape_error(&b[i..i + 3]));
                }
                out.push(v);
                i += 3;
            }
            b'+' => {
                out.push(if mode == Mode::QueryComponent {
                    b' '
                } else {
                    b'+'
                });
                i += 1;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        go_quote(&s[i..i + 1])
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `EscapeError` for the bad escape `bytes`, which may end inside a character (Go's
/// quoting shows such bytes as `\xNN`).
fn escape_error(bytes: &[u8]) -> String {
    let valid = match std::str::from_utf8(bytes) {
        Ok(all) => all,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    };
    let quoted = go_quote(valid);
    let partial: String = bytes[valid.len()..]
        .iter()
        .map(|b| format!("\\x{b:02x}"))
        .collect();
    format!(
        "invalid URL escape {}{partial}\"",
        &quoted[..quoted.len() - 1]
    )
}

/// Go's `url.Parse`, errors formatted as `parse "URL": REASON`.
fn parse(raw: &str) -> Result<Url, String> {
    let (u, frag) = raw.split_once('#').unwrap_or((raw, ""));
    let mut url = parse_no_fragment(u).map_err(|e| format!("parse {}: {e}", go_quote(u)))?;
    if !frag.is_empty() {
        url.fragment =
            unescape(frag, Mode::Fragment).map_err(|e| format!("parse {}: {e}", go_quote(raw)))?;
        url.raw_fragment = if escape(&url.fragment, Mode::Fragment) == frag {
            String::new()
        } else {
            frag.to_owned()
        };
    }
    Ok(url)
}

fn parse_no_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".into();
        return Ok(url);
    }
    let (scheme, mut rest) = scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_owned();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_owned();
            return Ok(url);
        }
        if rest.split('/').next().is_some_and(|seg| seg.contains(':')) {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority = &rest[2..];
        let (authority, path) = match authority.find('/') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    }
    url.path = unescape(rest, Mode::Path)?;
    url.raw_path = if escape(&url.path, Mode::Path) == rest {
        String::new()
    } else {
        rest.to_owned()
    };
    Ok(url)
}

/// Go's `getScheme`: `scheme:rest`, or no scheme when the prefix is not one.
fn scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(authority: &str) -> Result<(Option<Userinfo>, String), String> {
    let at = authority.rfind('@');
    let host = parse_host(&authority[at.map_or(0, |i| i + 1)..])?;
    let Some(at) = at else {
        return Ok((None, host));
    };
    let info = &authority[..at];
    // RFC 3986's userinfo: unreserved, sub-delims, `:`, escapes (and `@`, as Go allows).
    if !info
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || sub_delim(c) || b"-._~:%@".contains(&c))
    {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match info.split_once(':') {
        None => Userinfo {
            username: unescape(info, Mode::UserPassword)?,
            password: None,
        },
        Some((name, password)) => Userinfo {
            username: unescape(name, Mode::UserPassword)?,
            password: Some(unescape(password, Mode::UserPassword)?),
        },
    };
    Ok((Some(user), host))
}

/// Whether `port` is empty or `:` followed by digits.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(close) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[close + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
        if let Some(zone) = host[..close].find("%25") {
            return Ok(format!(
                "{}{}{}",
                unescape(&host[..zone], Mode::Host)?,
                unescape(&host[zone..close], Mode::Zone)?,
                unescape(&host[close..], Mode::Host)?
            ));
        }
    } else if let Some(colon) = host.rfind(':') {
        let port = &host[colon..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

/// Whether `s` is a valid escaped path or fragment (Go's `validEncoded`).
fn valid_encoded(s: &str, mode: Mode) -> bool {
    s.bytes()
        .all(|c| sub_delim(c) || b":@[]%".contains(&c) || !should_escape(c, mode))
}

impl Url {
    /// Go's `Hostname`: the host without a valid port and without IPv6 brackets.
    fn hostname(&self) -> &str {
        let mut host = self.host.as_str();
        if let Some(colon) = host.rfind(':')
            && valid_optional_port(&host[colon..])
        {
            host = &host[..colon];
        }
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
    }

    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(&self.raw_path, Mode::Path)
            && unescape(&self.raw_path, Mode::Path).is_ok_and(|p| p == self.path)
        {
            return self.raw_path.clone();
        }
        if self.path == "*" {
            return "*".into();
        }
        escape(&self.path, Mode::Path)
    }

    fn escaped_fragment(&self) -> String {
        if !self.raw_fragment.is_empty()
            && valid_encoded(&self.raw_fragment, Mode::Fragment)
            && unescape(&self.raw_fragment, Mode::Fragment).is_ok_and(|f| f == self.fragment)
        {
            return self.raw_fragment.clone();
        }
        escape(&self.fragment, Mode::Fragment)
    }
}

/// Go's `URL.String`.
impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(u) = &self.user {
                    buf.push_str(&u.encoded());
                    buf.push('@');
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let path = self.escaped_path();
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&self.escaped_fragment());
        }
        f.write_str(&buf)
    }
}
