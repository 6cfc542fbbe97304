//! The `YYYYMMDDTHHMMSSZ` timestamp SigV4 signs, written without allocating.

use std::fmt;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::{Error, Result};

/// A UTC instant in SigV4's basic ISO 8601 form, e.g. `20130524T000000Z`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AmzDate {
    text: [u8; 16],
    instant: OffsetDateTime,
}

impl AmzDate {
    /// Converts `time` to UTC; refuses years outside 0000–9999, which have no 4-digit form.
    pub fn new(time: OffsetDateTime) -> Result<Self> {
        let utc = time
            .checked_to_offset(UtcOffset::UTC)
            .ok_or(Error::InvalidDate { reason: "the time is outside the representable range".into() })?;
        let year = utc.year();
        if !(0..=9999).contains(&year) {
            return Err(Error::InvalidDate { reason: "the year must be between 0000 and 9999".into() });
        }
        let mut text = *b"00000000T000000Z";
        put_digits(&mut text[0..4], year as u32);
        put_digits(&mut text[4..6], u8::from(utc.month()).into());
        put_digits(&mut text[6..8], utc.day().into());
        put_digits(&mut text[9..11], utc.hour().into());
        put_digits(&mut text[11..13], utc.minute().into());
        put_digits(&mut text[13..15], utc.second().into());
        // Whole seconds: the signature can only vouch for what the text says.
        let instant = utc.replace_nanosecond(0).unwrap_or(utc);
        Ok(AmzDate { text, instant })
    }

    /// Parses `YYYYMMDDTHHMMSSZ` (as in `X-Amz-Date`).
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::InvalidDate { reason: "expected YYYYMMDDTHHMMSSZ, e.g. 20130524T000000Z".into() };
        let b = text.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return Err(bad());
        }
        let num = |range: std::ops::Range<usize>| -> Result<u32> {
            let part = &b[range];
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(bad());
            }
            Ok(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
        };
        let month = Month::try_from(num(4..6)? as u8).map_err(|_| bad())?;
        let date = Date::from_calendar_date(num(0..4)? as i32, month, num(6..8)? as u8).map_err(|_| bad())?;
        let clock = Time::from_hms(num(9..11)? as u8, num(11..13)? as u8, num(13..15)? as u8).map_err(|_| bad())?;
        AmzDate::new(PrimitiveDateTime::new(date, clock).assume_utc())
    }

    /// The full timestamp, `YYYYMMDDTHHMMSSZ`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever written into `text`.
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// The timestamp's ASCII bytes.
    pub(crate) fn as_bytes(&self) -> &[u8; 16] {
        &self.text
    }

    /// The date part, `YYYYMMDD`, used in the credential scope.
    pub fn date_stamp(&self) -> &str {
        &self.as_str()[..8]
    }

    /// The instant, in UTC, truncated to whole seconds.
    pub fn instant(&self) -> OffsetDateTime {
        self.instant
    }
}

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AmzDate({})", self.as_str())
    }
}

fn put_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_in_utc_whatever_the_offset() {
        let d = AmzDate::new(datetime!(2013-05-24 02:00:00 +02:00)).unwrap();
        assert_eq!(d.as_str(), "20130524T000000Z");
        assert_eq!(d.date_stamp(), "20130524");
    }

    #[test]
    fn parse_round_trips_and_rejects_garbage() {
        assert_eq!(AmzDate::parse("20150830T123600Z").unwrap().as_str(), "20150830T123600Z");
        for bad in
            ["", "2015-08-30T12:36:00Z", "20150830T123600", "20151330T123600Z", "2015083OT123600Z", "20150830T246000Z"]
        {
            assert_eq!(AmzDate::parse(bad).unwrap_err().code(), "INVALID_DATE", "{bad}");
        }
    }

    #[test]
    fn years_without_four_digits_are_refused() {
        assert!(AmzDate::new(datetime!(9999-12-31 23:59:59 UTC)).is_ok());
        assert_eq!(AmzDate::new(datetime!(-0001-01-01 00:00:00 UTC)).unwrap_err().code(), "INVALID_DATE");
    }
}
