//! "Today", for spaced review: the local calendar date, or the date that
//! `QBANK_TODAY=YYYY-MM-DD` names, so that tests and demos are
//! reproducible. Read at each use: a server left running overnight moves
//! on to the next day.

use chrono::NaiveDate;

pub const TODAY_VARIABLE: &str = "QBANK_TODAY";

/// Today's date; an unreadable `QBANK_TODAY` is an error that names it.
pub fn today() -> Result<NaiveDate, String> {
    match std::env::var(TODAY_VARIABLE) {
        Ok(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            format!("{TODAY_VARIABLE}={text:?} is not a date: write it as YYYY-MM-DD")
        }),
        Err(_) => Ok(chrono::Local::now().date_naive()),
    }
}

/// Today's date, or the clock's when `QBANK_TODAY` cannot be read (the
/// server logs why once, not at every request, and goes on).
pub fn today_or_clock(log: impl FnOnce(&str)) -> NaiveDate {
    static SAID: std::sync::Once = std::sync::Once::new();
    today().unwrap_or_else(|problem| {
        SAID.call_once(|| log(&format!("{problem}; using the clock's date")));
        chrono::Local::now().date_naive()
    })
}
