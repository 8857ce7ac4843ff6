//! sprig's `getHostByName`: one address of a host name, from the system resolver (`/etc/hosts`,
//! then DNS), picked at random among the addresses as Go's `net.LookupHost` and sprig do.

use std::net::{IpAddr, ToSocketAddrs};

use super::Param::Str;
use super::random::below;
use super::{Registry, s};
use crate::template::value::Value;

pub(super) fn register(r: &mut Registry) {
    r.add("getHostByName", &[Str], None, |_, a| {
        let addrs = lookup_host(s(&a[0]));
        if addrs.is_empty() {
            // sprig indexes the empty result with rand.Intn(0), which panics with this text.
            return Err("invalid argument to Intn".into());
        }
        let pick = below(addrs.len() as u64)? as usize;
        Ok(Value::String(addrs[pick].clone()))
    });
}

/// The addresses of `name`, as Go's `LookupHost` gives them: an IP literal as written, a name
/// through the system resolver (getaddrinfo), each address once; none when resolution fails.
fn lookup_host(name: &str) -> Vec<String> {
    if name.parse::<IpAddr>().is_ok() {
        return vec![name.to_owned()];
    }
    if name.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for addr in (name, 0).to_socket_addrs().into_iter().flatten() {
        let ip = addr.ip().to_string();
        if !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}
