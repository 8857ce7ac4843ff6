//! sprig's math: integer arithmetic through `int64`, float arithmetic through decimals as
//! sprig's `shopspring/decimal` does it (so `addf 0.1 0.2` is `0.3`).

use super::Param::{Any, Int};
use super::conv::{to_float64, to_int64};
use super::{Registry, i};
use crate::template::value::Value;

const DIV_ZERO: &str = "runtime error: integer divide by zero";

pub(super) fn register(r: &mut Registry) {
    r.add("add", &[], Some(Any), |_, a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(0i64, i64::wrapping_add),
        ))
    });
    r.add("add1", &[Any], None, |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    r.add("sub", &[Any, Any], None, |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    r.add("mul", &[Any], Some(Any), |_, a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(1i64, i64::wrapping_mul),
        ))
    });
    r.add("div", &[Any, Any], None, |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(DIV_ZERO.into());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_div(d)))
    });
    r.add("mod", &[Any, Any], None, |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(DIV_ZERO.into());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    for name in ["max", "biggest"] {
        r.add(name, &[Any], Some(Any), |_, a| {
            Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))
        });
    }
    r.add("min", &[Any], Some(Any), |_, a| {
        Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))
    });
    r.add("maxf", &[Any], Some(Any), |_, a| {
        Ok(Value::Float(
            a.iter().map(to_float64).fold(f64::NEG_INFINITY, f64::max),
        ))
    });
    r.add("minf", &[Any], Some(Any), |_, a| {
        Ok(Value::Float(
            a.iter().map(to_float64).fold(f64::INFINITY, f64::min),
        ))
    });
    r.add("floor", &[Any], None, |_, a| {
        Ok(Value::Float(to_float64(&a[0]).floor()))
    });
    r.add("ceil", &[Any], None, |_, a| {
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    });
    r.add("round", &[Any, Int], Some(Any), |_, a| {
        let round_on = a.get(2).map_or(0.5, to_float64);
        let pow = 10f64.powi(i(&a[1]) as i32);
        let digit = to_float64(&a[0]) * pow;
        let r = if digit.fract() >= round_on {
            digit.ceil()
        } else {
            digit.floor()
        };
        Ok(Value::Float(r / pow))
    });
    r.add("add1f", &[Any], None, |_, a| {
        Ok(Value::Float(dec_op(
            &[a[0].clone(), Value::Int(1)],
            Op::Add,
        )?))
    });
    r.add("addf", &[], Some(Any), |_, a| {
        Ok(Value::Float(dec_op(&a, Op::Add)?))
    });
    r.add("subf", &[Any], Some(Any), |_, a| {
        Ok(Value::Float(dec_op(&a, Op::Sub)?))
    });
    r.add("mulf", &[Any], Some(Any), |_, a| {
        Ok(Value::Float(dec_op(&a, Op::Mul)?))
    });
    r.add("divf", &[Any], Some(Any), |_, a| {
        Ok(Value::Float(dec_op(&a, Op::Div)?))
    });
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A decimal `mantissa × 10^-scale`.
#[derive(Clone, Copy)]
struct Dec {
    m: i128,
    scale: u32,
}

impl Dec {
    fn from_f64(f: f64) -> Dec {
        // shopspring's NewFromFloat keeps the shortest decimal that round-trips.
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
        let digits: i128 = format!("{ip}{fp}").parse().unwrap_or(0);
        let scale = fp.len() as i32 - exp;
        if scale >= 0 {
            Dec {
                m: digits,
                scale: scale as u32,
            }
        } else {
            Dec {
                m: digits * 10i128.pow((-scale) as u32),
                scale: 0,
            }
        }
    }

    fn rescale(self, scale: u32) -> i128 {
        self.m * 10i128.pow(scale - self.scale)
    }

    fn to_f64(self) -> f64 {
        format!("{}e-{}", self.m, self.scale).parse().unwrap_or(0.0)
    }
}

fn dec_op(args: &[Value], op: Op) -> Result<f64, String> {
    let mut it = args.iter().map(|v| Dec::from_f64(to_float64(v)));
    let Some(mut acc) = it.next() else {
        return Ok(0.0);
    };
    for d in it {
        acc = match op {
            Op::Add | Op::Sub => {
                let scale = acc.scale.max(d.scale).min(30);
                let (x, y) = (acc.rescale(scale), d.rescale(scale));
                Dec {
                    m: if matches!(op, Op::Add) { x + y } else { x - y },
                    scale,
                }
            }
            Op::Mul => Dec {
                m: acc.m.saturating_mul(d.m),
                scale: acc.scale + d.scale,
            },
            Op::Div => {
                if d.m == 0 {
                    return Err("decimal division by 0".into());
                }
                // DivisionPrecision is 16 digits after the point.
                let scale = 16u32;
                let num = acc.m * 10i128.pow(scale + d.scale);
                let den = d.m * 10i128.pow(acc.scale);
                let q = num / den;
                let rem = num % den;
                let q = if (rem * 2).abs() >= den.abs() {
                    q + q.signum().max(if (num < 0) != (den < 0) { -1 } else { 1 })
                } else {
                    q
                };
                Dec { m: q, scale }
            }
        };
        while acc.scale > 30 {
            acc.m /= 10;
            acc.scale -= 1;
        }
    }
    Ok(acc.to_f64())
}
