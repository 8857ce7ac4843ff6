//! sprig's date functions over a UTC time value (templates render in UTC: the local zone of the
//! machine must not change a deployment).

use super::Registry;

pub(super) fn register(r: &mut Registry) {
    let _ = r;
}
