//! Visit duty by colour, in China's calendar whatever the device's zone or clock says.

use chrono::{DateTime, TimeZone, Utc};
use peihu_shared::model::RiskColour::{self, Blue, Red, Yellow};
use peihu_shared::rules::{DutyStatus, Period, duty_for};

use crate::support::{china_ms, date};

const DAY: i64 = 86_400_000;

fn status(colour: RiskColour, since: i64, visits: &[i64], now: i64) -> DutyStatus {
    duty_for(colour, since, visits, now).status
}

#[test]
fn a_blue_visit_on_january_31_does_not_count_for_february() {
    let since = china_ms(2027, 1, 5, 9, 0);
    let visit = [china_ms(2027, 1, 31, 23, 30)];

    assert_eq!(status(Blue, since, &visit, china_ms(2027, 1, 31, 23, 59)), DutyStatus::Done);
    let feb = duty_for(Blue, since, &visit, china_ms(2027, 2, 1, 8, 0));
    assert_eq!(feb.status, DutyStatus::Due);
    assert_eq!(feb.period, Period { start: date(2027, 2, 1), end: date(2027, 3, 1) });
    assert_eq!(status(Blue, since, &visit, china_ms(2027, 2, 28, 23, 59)), DutyStatus::Due);
}

#[test]
fn a_missed_blue_february_is_overdue_from_march_1_and_counts_up_by_day() {
    let since = china_ms(2027, 1, 5, 9, 0);
    let visit = [china_ms(2027, 1, 31, 23, 30)];

    assert_eq!(
        status(Blue, since, &visit, china_ms(2027, 3, 1, 0, 0)),
        DutyStatus::Overdue { days: 0 }
    );
    assert_eq!(
        status(Blue, since, &visit, china_ms(2027, 3, 15, 12, 0)),
        DutyStatus::Overdue { days: 14 }
    );
    assert_eq!(
        status(Blue, since, &[], china_ms(2027, 2, 1, 0, 0)),
        DutyStatus::Overdue { days: 0 }
    );
}

#[test]
fn the_leap_day_2028_belongs_to_februarys_blue_period() {
    let since = china_ms(2028, 1, 10, 9, 0);
    let january = [china_ms(2028, 1, 20, 10, 0)];

    let on_leap_day = duty_for(Blue, since, &january, china_ms(2028, 2, 29, 23, 59));
    assert_eq!(on_leap_day.status, DutyStatus::Due);
    assert_eq!(on_leap_day.period, Period { start: date(2028, 2, 1), end: date(2028, 3, 1) });
    assert_eq!(
        status(Blue, since, &january, china_ms(2028, 3, 1, 0, 0)),
        DutyStatus::Overdue { days: 0 }
    );

    let leap_visit = [china_ms(2028, 2, 29, 10, 0)];
    assert_eq!(status(Blue, since, &leap_visit, china_ms(2028, 2, 29, 18, 0)), DutyStatus::Done);
    assert_eq!(status(Blue, since, &leap_visit, china_ms(2028, 3, 31, 23, 59)), DutyStatus::Due);
    assert_eq!(
        status(Blue, since, &leap_visit, china_ms(2028, 4, 1, 0, 0)),
        DutyStatus::Overdue { days: 0 }
    );
}

#[test]
fn a_yellow_visit_on_the_leap_day_covers_the_week_to_sunday_march_5() {
    let since = china_ms(2028, 2, 1, 9, 0);
    let visit = [china_ms(2028, 2, 29, 10, 0)];

    let sunday = duty_for(Yellow, since, &visit, china_ms(2028, 3, 5, 20, 0));
    assert_eq!(sunday.status, DutyStatus::Done);
    assert_eq!(sunday.period, Period { start: date(2028, 2, 28), end: date(2028, 3, 6) });
    assert_eq!(status(Yellow, since, &visit, china_ms(2028, 3, 6, 0, 0)), DutyStatus::Due);
    assert_eq!(
        status(Yellow, since, &visit, china_ms(2028, 3, 13, 0, 0)),
        DutyStatus::Overdue { days: 0 }
    );
    assert_eq!(
        status(Yellow, since, &visit, china_ms(2028, 3, 14, 7, 0)),
        DutyStatus::Overdue { days: 1 }
    );
}

#[test]
fn midnight_is_midnight_in_china_whatever_the_instant_is_in_utc() {
    let since = china_ms(2027, 6, 1, 9, 0);
    let before_midnight = Utc.with_ymd_and_hms(2027, 6, 10, 15, 59, 0).unwrap().timestamp_millis();
    let after_midnight = Utc.with_ymd_and_hms(2027, 6, 10, 16, 1, 0).unwrap().timestamp_millis();
    assert_eq!(before_midnight, china_ms(2027, 6, 10, 23, 59));
    assert_eq!(after_midnight, china_ms(2027, 6, 11, 0, 1));
    let morning = china_ms(2027, 6, 11, 9, 0);

    assert_eq!(status(Red, since, &[before_midnight], morning), DutyStatus::Due);
    assert_eq!(status(Red, since, &[after_midnight], morning), DutyStatus::Done);
    let next_midnight = china_ms(2027, 6, 12, 0, 0);
    assert_eq!(
        status(Red, since, &[before_midnight], next_midnight),
        DutyStatus::Overdue { days: 0 }
    );
    assert_eq!(status(Red, since, &[after_midnight], next_midnight), DutyStatus::Due);
}

#[test]
fn a_visit_stamped_three_days_ahead_counts_as_done_today() {
    let now = china_ms(2027, 6, 11, 9, 0);
    let since = china_ms(2027, 5, 1, 9, 0);
    let ahead = [now + 3 * DAY];

    for colour in [Red, Yellow, Blue] {
        let duty = duty_for(colour, since, &ahead, now);
        assert_eq!(duty.status, DutyStatus::Done, "{colour:?}");
        assert!(duty.period.contains(date(2027, 6, 11)), "{colour:?}: the period is today's");
    }
}

#[test]
fn a_colour_assigned_in_the_future_makes_a_visit_due_and_nothing_negative() {
    let now = china_ms(2027, 6, 11, 9, 0);

    for colour in [Red, Yellow, Blue] {
        assert_eq!(status(colour, now + 3 * DAY, &[], now), DutyStatus::Due, "{colour:?}");
        assert_eq!(status(colour, now + 3 * DAY, &[now + 2 * DAY], now), DutyStatus::Done);
    }
}

#[test]
fn visits_stamped_a_year_behind_count_as_old_and_overdue_by_a_finite_number_of_days() {
    let now = china_ms(2027, 3, 10, 10, 0);
    let year_behind = [china_ms(2026, 3, 10, 10, 0)];

    let blue_since = china_ms(2026, 1, 1, 9, 0);
    assert_eq!(status(Blue, blue_since, &year_behind, now), DutyStatus::Overdue { days: 313 });
    let red_since = china_ms(2026, 3, 1, 9, 0);
    assert_eq!(status(Red, red_since, &year_behind, now), DutyStatus::Overdue { days: 363 });
}

#[test]
fn a_duty_list_computed_on_a_clock_a_year_behind_sees_todays_visits_as_done() {
    let visit = [china_ms(2027, 3, 10, 10, 0)];
    let now_behind = china_ms(2026, 3, 10, 11, 0);

    for colour in [Red, Yellow, Blue] {
        assert_eq!(
            status(colour, china_ms(2027, 1, 1, 0, 0), &visit, now_behind),
            DutyStatus::Done
        );
    }
}

#[test]
fn extreme_instants_never_panic_and_never_give_negative_days() {
    let edges = [
        i64::MIN,
        i64::MIN + 1,
        DateTime::<Utc>::MIN_UTC.timestamp_millis(),
        DateTime::<Utc>::MIN_UTC.timestamp_millis() + DAY,
        -1,
        0,
        china_ms(2027, 6, 11, 9, 0),
        DateTime::<Utc>::MAX_UTC.timestamp_millis() - DAY,
        DateTime::<Utc>::MAX_UTC.timestamp_millis(),
        i64::MAX - 1,
        i64::MAX,
    ];
    for colour in [Red, Yellow, Blue] {
        for since in edges {
            for now in edges {
                let visit_sets: [&[i64]; 4] = [&[], &[since], &[now], &edges];
                for visits in visit_sets {
                    let duty = duty_for(colour, since, visits, now);
                    if let DutyStatus::Overdue { days } = duty.status {
                        assert!(days >= 0, "{colour:?} since {since} now {now}: {days}");
                    }
                }
            }
        }
    }
}
