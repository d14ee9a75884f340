//! Small text helpers without `core::fmt` (which costs kilobytes in a
//! static binary): decimal numbers both ways, and finding a variable in an
//! environment list. Plain code, no system call.

/// Writes `n` in decimal into the end of `buf` and returns the digits.
pub(crate) fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        start -= 1;
        if n == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}

/// [`decimal`], public but hidden: for `rawscm-rt`'s `decimal` only, so
/// that the two crates share one formatter. Not part of the API.
///
/// # Examples
/// ```
/// assert_eq!(rawscm::__decimal(42, &mut [0; 10]), b"42");
/// assert_eq!(rawscm::__decimal(u32::MAX, &mut [0; 10]), b"4294967295");
/// ```
#[doc(hidden)]
pub fn __decimal(n: u32, buf: &mut [u8; 10]) -> &[u8] {
    decimal(n, buf)
}

/// A non-empty run of ASCII digits as a `u64`; `None` on anything else or
/// on overflow.
pub(crate) fn parse_decimal(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |n, &b| {
        let d = b.checked_sub(b'0').filter(|&d| d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

/// The value of variable `name` in an environment given as `NAME=value`
/// byte strings (the `envp` of an `rt` program, or any list); the first
/// match wins.
///
/// # Examples
/// ```
/// let env = [&b"HOME=/root"[..], b"NOTIFY_SOCKET=@m"];
/// assert_eq!(rawscm::notify::env_var(env, b"NOTIFY_SOCKET"), Some(&b"@m"[..]));
/// ```
pub fn env_var<'a>(environ: impl IntoIterator<Item = &'a [u8]>, name: &[u8]) -> Option<&'a [u8]> {
    environ.into_iter().find_map(|v| v.strip_prefix(name)?.strip_prefix(b"="))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_both_ways() {
        let mut buf = [0u8; 10];
        for n in [0u32, 7, 10, 4_194_304, u32::MAX] {
            let text = decimal(n, &mut buf);
            assert_eq!(parse_decimal(text), Some(u64::from(n)));
        }
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(b"1a"), None);
        assert_eq!(parse_decimal(b"-1"), None);
        assert_eq!(parse_decimal(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_decimal(b"18446744073709551616"), None);
    }
}
