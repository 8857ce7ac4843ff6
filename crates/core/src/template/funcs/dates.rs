//! sprig's date functions over a Go-like `time.Time`: Go's reference-time layouts
//! (`2006-01-02 15:04:05`), `toDate`, `dateModify`, `duration`, and time zones read from the
//! system's zoneinfo as Go's `time.LoadLocation` does. Go's `Local` zone is UTC here: the zone
//! of the machine must not change what a deployment renders.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::Param::{Any, Named, Str};
use super::{Registry, s};
use crate::template::value::{Object, Value};

/// An instant with the zone it is shown in.
#[derive(Debug, Clone)]
pub(crate) struct Time {
    /// Seconds since the Unix epoch.
    unix: i64,
    nanos: u32,
    /// Offset of the zone from UTC, in seconds.
    offset: i32,
    /// The zone's abbreviation (`UTC`, `JST`).
    zone: String,
}

impl Time {
    fn utc(unix: i64, nanos: u32) -> Time {
        Time {
            unix,
            nanos,
            offset: 0,
            zone: "UTC".into(),
        }
    }

    fn now() -> Time {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Time::utc(d.as_secs() as i64, d.subsec_nanos())
    }

    /// Go's zero time, `0001-01-01 00:00:00 +0000 UTC`.
    fn zero() -> Time {
        Time::utc(days_from_civil(1, 1, 1) * 86400, 0)
    }

    /// Go's `Time.Add` of `ns` nanoseconds; the zone stays.
    fn add(&self, ns: i128) -> Time {
        let total = i128::from(self.unix) * 1_000_000_000 + i128::from(self.nanos) + ns;
        Time {
            unix: total.div_euclid(1_000_000_000) as i64,
            nanos: total.rem_euclid(1_000_000_000) as u32,
            ..self.clone()
        }
    }

    /// Nanoseconds from `earlier` to this time (Go's `Sub`, as `time.Since` uses it).
    fn nanos_since(&self, earlier: &Time) -> i128 {
        (i128::from(self.unix) - i128::from(earlier.unix)) * 1_000_000_000 + i128::from(self.nanos)
            - i128::from(earlier.nanos)
    }

    fn in_zone(&self, zone: &str) -> Time {
        match load_zone(zone, self.unix) {
            Some((offset, abbr)) => Time {
                offset,
                zone: abbr,
                ..self.clone()
            },
            None => Time {
                offset: 0,
                zone: "UTC".into(),
                ..self.clone()
            },
        }
    }
}

impl Object for Time {
    fn type_name(&self) -> String {
        "time.Time".into()
    }
    fn go_string(&self) -> String {
        let frac = if self.nanos == 0 {
            String::new()
        } else {
            format!(".{:09}", self.nanos)
                .trim_end_matches('0')
                .to_owned()
        };
        format!(
            "{}{frac} {}",
            format(self, "2006-01-02 15:04:05"),
            format(self, "-0700 MST")
        )
    }
    fn method(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Unix" => Some(Ok(Value::Int64(self.unix))),
            "Year" => Some(Ok(Value::Int(civil(self).0))),
            _ => None,
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn time_of(v: &Value) -> Option<Time> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<Time>().cloned(),
        _ => None,
    }
}

/// sprig's `dateInZone` argument rule: times, or Unix seconds as int/int64; anything else is now.
fn instant(v: &Value) -> Time {
    match v {
        Value::Int(i) | Value::Int64(i) => Time::utc(*i, 0),
        other => time_of(other).unwrap_or_else(Time::now),
    }
}

/// Go's `time.Time` as a parameter type.
const TIME: super::Param = Named("time.Time");

fn object(t: Time) -> Value {
    Value::Object(Arc::new(t))
}

pub(super) fn register(r: &mut Registry) {
    r.add("now", &[], None, |_, _| Ok(object(Time::now())));
    r.add("date", &[Str, Any], None, |_, a| {
        Ok(Value::String(format(
            &instant(&a[1]).in_zone("Local"),
            s(&a[0]),
        )))
    });
    for name in ["dateInZone", "date_in_zone"] {
        r.add(name, &[Str, Any, Str], None, |_, a| {
            Ok(Value::String(format(
                &instant(&a[1]).in_zone(s(&a[2])),
                s(&a[0]),
            )))
        });
    }
    r.add("htmlDate", &[Any], None, |_, a| {
        Ok(Value::String(format(
            &instant(&a[0]).in_zone("Local"),
            "2006-01-02",
        )))
    });
    r.add("htmlDateInZone", &[Any, Str], None, |_, a| {
        Ok(Value::String(format(
            &instant(&a[0]).in_zone(s(&a[1])),
            "2006-01-02",
        )))
    });
    r.add("toDate", &[Str, Str], None, |_, a| {
        Ok(object(
            parse(s(&a[0]), s(&a[1])).unwrap_or_else(|_| Time::zero()),
        ))
    });
    r.add("mustToDate", &[Str, Str], None, |_, a| {
        parse(s(&a[0]), s(&a[1])).map(object)
    });
    r.add("unixEpoch", &[Any], None, |_, a| match time_of(&a[0]) {
        Some(t) => Ok(Value::String(t.unix.to_string())),
        None => Err(format!(
            "wrong type for value; expected time.Time; got {}",
            a[0].arg_type_name()
        )),
    });
    for name in ["dateModify", "date_modify"] {
        r.add(name, &[Str, TIME], None, |_, a| {
            let t = time_of(&a[1]).unwrap_or_else(Time::zero);
            Ok(object(match parse_duration(s(&a[0])) {
                Ok(ns) => t.add(ns),
                Err(_) => t,
            }))
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        r.add(name, &[Str, TIME], None, |_, a| {
            let t = time_of(&a[1]).unwrap_or_else(Time::zero);
            Ok(object(t.add(parse_duration(s(&a[0]))?)))
        });
    }
    r.add("duration", &[Any], None, |_, a| {
        let secs = match &a[0] {
            Value::String(t) => t.parse::<i64>().unwrap_or(0),
            Value::Int64(i) => *i,
            _ => 0,
        };
        Ok(Value::String(duration_string(
            i128::from(secs) * 1_000_000_000,
        )))
    });
    r.add("durationRound", &[Any], None, |_, a| {
        let ns = match &a[0] {
            Value::String(t) => parse_duration(t).unwrap_or(0),
            Value::Int64(n) => i128::from(*n),
            v => time_of(v).map_or(0, |t| Time::now().nanos_since(&t)),
        };
        Ok(Value::String(duration_round(ns)))
    });
    r.add("ago", &[Any], None, |_, a| {
        let then = instant(&a[0]);
        let now = Time::now();
        let secs = i128::from(now.unix - then.unix);
        Ok(Value::String(duration_string(secs * 1_000_000_000)))
    });
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
/// The current time in UTC as Go's `time.RFC3339Nano` writes it (`2024-05-01T10:00:00.5Z`).
pub(crate) fn now_rfc3339_nano() -> String {
    format(&Time::now(), "2006-01-02T15:04:05.999999999Z07:00")
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year, month, day, hour, minute, second, weekday (0 = Sunday) and day of year of a time
/// in its zone.
fn civil(t: &Time) -> (i64, i64, i64, i64, i64, i64, i64, i64) {
    let local = t.unix + i64::from(t.offset);
    let days = local.div_euclid(86400);
    let secs = local.rem_euclid(86400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let weekday = (days + 4).rem_euclid(7);
    let yday = days - days_from_civil(y, 1, 1) + 1;
    (
        y,
        m,
        d,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        weekday,
        yday,
    )
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// The elements of Go's reference layout, longest first where one is a prefix of another.
const TOKENS: &[&str] = &[
    "January",
    "Jan",
    "Monday",
    "Mon",
    "MST",
    "2006",
    "002",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "__2",
    "_2",
    "15",
    "1",
    "2",
    "3",
    "4",
    "5",
    "PM",
    "pm",
    "-07:00:00",
    "-070000",
    "-07:00",
    "-0700",
    "-07",
    "Z07:00:00",
    "Z070000",
    "Z07:00",
    "Z0700",
    "Z07",
];

/// Splits a layout into literal text and elements (fractional seconds included).
fn chunks(layout: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut lit = 0;
    let mut i = 0;
    let b = layout.as_bytes();
    while i < b.len() {
        let rest = &layout[i..];
        let frac =
            if (b[i] == b'.' || b[i] == b',') && i + 1 < b.len() && matches!(b[i + 1], b'0' | b'9')
            {
                let run = rest[1..].bytes().take_while(|c| *c == b[i + 1]).count();
                let after = rest.as_bytes().get(1 + run);
                if after.is_none_or(|c| !c.is_ascii_digit()) {
                    Some(1 + run)
                } else {
                    None
                }
            } else {
                None
            };
        let tok = frac.or_else(|| {
            TOKENS
                .iter()
                .find(|t| rest.starts_with(**t))
                .map(|t| t.len())
        });
        match tok {
            Some(n) => {
                if lit < i {
                    out.push((false, &layout[lit..i]));
                }
                out.push((true, &rest[..n]));
                i += n;
                lit = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if lit < b.len() {
        out.push((false, &layout[lit..]));
    }
    out
}

fn zone_offset(offset: i32, colon: bool, seconds: bool, short: bool, z: bool) -> String {
    if z && offset == 0 {
        return "Z".into();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.abs();
    let (h, m, s) = (o / 3600, o / 60 % 60, o % 60);
    let sep = if colon { ":" } else { "" };
    let mut out = format!("{sign}{h:02}");
    if !short {
        out.push_str(&format!("{sep}{m:02}"));
    }
    if seconds {
        out.push_str(&format!("{sep}{s:02}"));
    }
    out
}

/// Go's `Time.Format`.
fn format(t: &Time, layout: &str) -> String {
    let (y, mo, d, h, mi, sec, wd, yday) = civil(t);
    let mut out = String::new();
    for (is_tok, c) in chunks(layout) {
        if !is_tok {
            out.push_str(c);
            continue;
        }
        let piece = match c {
            "January" => MONTHS[(mo - 1) as usize].to_owned(),
            "Jan" => MONTHS[(mo - 1) as usize][..3].to_owned(),
            "Monday" => DAYS[wd as usize].to_owned(),
            "Mon" => DAYS[wd as usize][..3].to_owned(),
            "MST" => t.zone.clone(),
            "2006" => format!("{y:04}"),
            "06" => format!("{:02}", y.rem_euclid(100)),
            "01" => format!("{mo:02}"),
            "1" => mo.to_string(),
            "02" => format!("{d:02}"),
            "2" => d.to_string(),
            "_2" => format!("{d:>2}"),
            "002" => format!("{yday:03}"),
            "__2" => format!("{yday:>3}"),
            "15" => format!("{h:02}"),
            "03" => format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 }),
            "3" => (if h % 12 == 0 { 12 } else { h % 12 }).to_string(),
            "04" => format!("{mi:02}"),
            "4" => mi.to_string(),
            "05" => format!("{sec:02}"),
            "5" => sec.to_string(),
            "PM" => (if h >= 12 { "PM" } else { "AM" }).to_owned(),
            "pm" => (if h >= 12 { "pm" } else { "am" }).to_owned(),
            "-07:00:00" => zone_offset(t.offset, true, true, false, false),
            "-070000" => zone_offset(t.offset, false, true, false, false),
            "-07:00" => zone_offset(t.offset, true, false, false, false),
            "-0700" => zone_offset(t.offset, false, false, false, false),
            "-07" => zone_offset(t.offset, false, false, true, false),
            "Z07:00:00" => zone_offset(t.offset, true, true, false, true),
            "Z070000" => zone_offset(t.offset, false, true, false, true),
            "Z07:00" => zone_offset(t.offset, true, false, false, true),
            "Z0700" => zone_offset(t.offset, false, false, false, true),
            "Z07" => zone_offset(t.offset, false, false, true, true),
            frac => {
                let digits = frac.len() - 1;
                let all = format!("{:09}", t.nanos);
                let mut f = all[..digits.min(9)].to_owned();
                if frac.as_bytes()[1] == b'9' {
                    f = f.trim_end_matches('0').to_owned();
                    if f.is_empty() {
                        continue;
                    }
                }
                format!("{}{f}", &frac[..1])
            }
        };
        out.push_str(&piece);
    }
    out
}

/// Go's `time.Parse` (zone `Local`, which is UTC here) for the common layout elements.
fn parse(layout: &str, value: &str) -> Result<Time, String> {
    let fail = |rest: &str, elem: &str| {
        format!("parsing time {value:?} as {layout:?}: cannot parse {rest:?} as {elem:?}")
    };
    let (mut y, mut mo, mut d, mut h, mut mi, mut sec, mut nanos) =
        (1i64, 1i64, 1i64, 0i64, 0i64, 0i64, 0u32);
    let mut pm: Option<bool> = None;
    let mut offset: i32 = 0;
    let mut rest = value;
    for (is_tok, c) in chunks(layout) {
        if !is_tok {
            rest = rest.strip_prefix(c).ok_or_else(|| fail(rest, c))?;
            continue;
        }
        let digits = |rest: &str, min: usize, max: usize| -> Option<(i64, usize)> {
            let n = rest
                .bytes()
                .take(max)
                .take_while(u8::is_ascii_digit)
                .count();
            if n < min {
                return None;
            }
            rest[..n].parse().ok().map(|v| (v, n))
        };
        let (v, n) = match c {
            "2006" => digits(rest, 4, 4),
            "06" => digits(rest, 2, 2).map(|(v, n)| (if v >= 69 { 1900 + v } else { 2000 + v }, n)),
            "01" | "02" | "15" | "03" | "04" | "05" => digits(rest, 2, 2),
            "1" | "2" | "3" | "4" | "5" => digits(rest, 1, 2),
            "_2" => {
                let r = rest.strip_prefix(' ').unwrap_or(rest);
                digits(r, 1, 2).map(|(v, n)| (v, n + rest.len() - r.len()))
            }
            "Jan" | "January" => MONTHS
                .iter()
                .position(|m| {
                    let name = if c == "Jan" { &m[..3] } else { m };
                    rest.get(..name.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(name))
                })
                .map(|i| (i as i64 + 1, if c == "Jan" { 3 } else { MONTHS[i].len() })),
            "Mon" | "Monday" => DAYS
                .iter()
                .find(|m| {
                    let name = if c == "Mon" { &m[..3] } else { m };
                    rest.get(..name.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(name))
                })
                .map(|m| (0, if c == "Mon" { 3 } else { m.len() })),
            "PM" | "pm" => match rest.get(..2).map(str::to_ascii_uppercase).as_deref() {
                Some("PM") => Some((1, 2)),
                Some("AM") => Some((0, 2)),
                _ => None,
            },
            "MST" => {
                let n = rest.bytes().take_while(u8::is_ascii_uppercase).count();
                if n >= 3 { Some((0, n)) } else { None }
            }
            z if z.starts_with('Z') && rest.starts_with('Z') => Some((0, 1)),
            z if z.starts_with('-') || z.starts_with('Z') => {
                let sign = match rest.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(fail(rest, c)),
                };
                let body = &rest[1..];
                let colon = z.contains(':');
                let (hh, mm, used) = match (digits(body, 2, 2), z.len()) {
                    (Some((hh, _)), 3) => (hh, 0, 3),
                    (Some((hh, _)), _) => {
                        let after = if colon {
                            body[2..].strip_prefix(':')
                        } else {
                            Some(&body[2..])
                        };
                        let mm = after
                            .and_then(|a| digits(a, 2, 2))
                            .ok_or_else(|| fail(rest, c))?;
                        (hh, mm.0, if colon { 6 } else { 5 })
                    }
                    (None, _) => return Err(fail(rest, c)),
                };
                offset = sign * (hh as i32 * 3600 + mm as i32 * 60);
                Some((0, used))
            }
            frac => {
                let body = &rest[1.min(rest.len())..];
                let n = body.bytes().take_while(u8::is_ascii_digit).count();
                if !rest.starts_with(['.', ','])
                    || (frac.as_bytes()[1] == b'0' && n != frac.len() - 1)
                {
                    return Err(fail(rest, frac));
                }
                let f = format!("{:0<9}", &body[..n.min(9)]);
                nanos = f.parse().unwrap_or(0);
                Some((0, n + 1))
            }
        }
        .ok_or_else(|| fail(rest, c))?;
        match c {
            "2006" | "06" => y = v,
            "01" | "1" | "Jan" | "January" => mo = v,
            "02" | "2" | "_2" => d = v,
            "15" => h = v,
            "03" | "3" => h = v,
            "04" | "4" => mi = v,
            "05" | "5" => sec = v,
            "PM" | "pm" => pm = Some(v == 1),
            _ => {}
        }
        rest = &rest[n..];
    }
    if !rest.is_empty() {
        return Err(format!("parsing time {value:?}: extra text: {rest:?}"));
    }
    if let Some(is_pm) = pm {
        h = h % 12 + if is_pm { 12 } else { 0 };
    }
    let unix = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - i64::from(offset);
    let zone = if offset == 0 {
        "UTC".to_owned()
    } else {
        String::new()
    };
    Ok(Time {
        unix,
        nanos,
        offset,
        zone,
    })
}

/// Go's `time.ParseDuration`, in nanoseconds, with Go's error texts.
fn parse_duration(orig: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let (neg, mut rest) = match orig.as_bytes().first() {
        Some(b'-') => (true, &orig[1..]),
        Some(b'+') => (false, &orig[1..]),
        _ => (false, orig),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let mut v: u64 = 0;
        for d in rest[..int_len].bytes() {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(d - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
        }
        rest = &rest[int_len..];
        // The fraction keeps its digits while they fit, as Go's leadingFraction does.
        let (mut f, mut scale, mut frac_len) = (0u64, 1f64, 0usize);
        if let Some(after) = rest.strip_prefix('.') {
            frac_len = after.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for d in after[..frac_len].bytes() {
                if overflow || f > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + u64::from(d - b'0');
                if y > LIMIT {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            rest = &after[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(invalid());
        }
        let unit_len = rest
            .bytes()
            .take_while(|c| *c != b'.' && !c.is_ascii_digit())
            .count();
        if unit_len == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                time_quote(orig)
            ));
        }
        let unit: u64 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            u => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    time_quote(u),
                    time_quote(orig)
                ));
            }
        };
        rest = &rest[unit_len..];
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok(-i128::from(total));
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(i128::from(total))
}

/// The `time` package's own quoting: ASCII as is (with `"` and `\` escaped), other bytes as
/// `\xNN`.
fn time_quote(t: &str) -> String {
    let mut out = String::from("\"");
    for c in t.chars() {
        if c.is_ascii() && c >= ' ' {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    out.push('"');
    out
}

/// sprig's `durationRound`: the largest whole unit of a duration (`2h`, `3mo`, `1y`), where a
/// unit counts only once the duration is strictly longer than it.
fn duration_round(ns: i128) -> String {
    const SECOND: u128 = 1_000_000_000;
    const UNITS: [(u128, &str); 6] = [
        (SECOND * 3600 * 24 * 365, "y"),
        (SECOND * 3600 * 24 * 30, "mo"),
        (SECOND * 3600 * 24, "d"),
        (SECOND * 3600, "h"),
        (SECOND * 60, "m"),
        (SECOND, "s"),
    ];
    let u = ns
        .clamp(i128::from(i64::MIN), i128::from(i64::MAX))
        .unsigned_abs();
    UNITS.iter().find(|(unit, _)| u > *unit).map_or_else(
        || "0s".to_owned(),
        |(unit, name)| format!("{}{name}", u / unit),
    )
}

/// Go's `Duration.String` (`1h0m0s`, `1.5s`, `250ms`, `0s`).
fn duration_string(ns: i128) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if u < 1_000_000_000 {
        let (div, unit) = match u {
            0..1_000 => (1, "ns"),
            1_000..1_000_000 => (1_000, "µs"),
            _ => (1_000_000, "ms"),
        };
        return format!("{sign}{}{unit}", frac_string(u, div));
    }
    let secs = u / 1_000_000_000;
    let (h, m) = (secs / 3600, secs / 60 % 60);
    let s = frac_string(u % 60_000_000_000, 1_000_000_000);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

fn frac_string(v: u128, div: u128) -> String {
    let whole = v / div;
    let frac = v % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let f = format!("{frac:0width$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// The offset and abbreviation of zone `name` at `unix`, from the system's zoneinfo (TZif).
fn load_zone(name: &str, unix: i64) -> Option<(i32, String)> {
    if name == "UTC" || name == "Local" || name.is_empty() {
        return Some((0, "UTC".into()));
    }
    if name.contains("..") || name.starts_with('/') {
        return None;
    }
    let data = std::fs::read(std::path::Path::new("/usr/share/zoneinfo").join(name)).ok()?;
    tzif_offset(&data, unix)
}

fn tzif_offset(data: &[u8], unix: i64) -> Option<(i32, String)> {
    if data.get(..4)? != b"TZif" {
        return None;
    }
    let be32 = |at: usize| -> Option<i64> {
        let b = data.get(at..at + 4)?;
        Some(i64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]])))
    };
    let (isutc, isstd, leap, timecnt, typecnt, charcnt) = (
        be32(20)?,
        be32(24)?,
        be32(28)?,
        be32(32)?,
        be32(36)?,
        be32(40)?,
    );
    let trans = 44usize;
    let idx = trans + 4 * timecnt as usize;
    let types = idx + timecnt as usize;
    let chars = types + 6 * typecnt as usize;
    let _ = (isutc, isstd, leap);
    let mut ty = 0usize;
    for i in 0..timecnt as usize {
        if be32(trans + 4 * i)? <= unix {
            ty = usize::from(*data.get(idx + i)?);
        }
    }
    let rec = types + 6 * ty;
    let offset = be32(rec)? as i32;
    let abbr_at = usize::from(*data.get(rec + 5)?);
    let abbrs = data.get(chars..chars + charcnt as usize)?;
    let abbr: Vec<u8> = abbrs
        .get(abbr_at..)?
        .iter()
        .take_while(|b| **b != 0)
        .copied()
        .collect();
    Some((offset, String::from_utf8_lossy(&abbr).into_owned()))
}
