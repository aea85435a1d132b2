//! Which layout each shot gets, and the user's framing overrides.
//!
//! - one person's crop (following the speaker, cutting between speakers);
//! - panels: the people side by side in the source shown in cells of their own (two stacked
//!   halves, three rows, a 2x2 grid for four), each cell following its face;
//! - the wide layout: the whole frame over a blurred copy, when no crop would hold the shot.
//!
//! `--layout split` shows every shot with two or more people as panels; `--layout auto`
//! chooses per shot from what the shot holds (see [`choose`]).

use serde::{Deserialize, Serialize};

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayoutPolicy {
    /// One person's crop in every shot (the speaker, or the subject).
    #[default]
    Speaker,
    /// Panels for every shot with two to four people (more: the four seen most).
    Split,
    /// Chosen per shot.
    Auto,
}

/// The layout of one shot (or of a stretch a user pinned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShotLayout {
    Speaker,
    /// These face tracks, one per cell, in cell order.
    Panels(Vec<usize>),
    Wide,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayoutParams {
    /// Turns shorter than this (median) make an exchange rapid: cutting that often is
    /// restless, so `auto` shows both people instead.
    pub rapid_turn: f64,
    /// ...when the shot has at least this many turns.
    pub rapid_turns: usize,
    /// More people than this is a wide shot (a crowd, a panel of guests).
    pub max_panels: usize,
}

impl Default for LayoutParams {
    fn default() -> Self {
        // Conversation analysis puts the median turn of everyday talk near 2 s and podcast
        // monologue turns at 5-30 s; editors cut a two-shot or split screen for the former.
        Self {
            rapid_turn: 3.0,
            rapid_turns: 3,
            max_panels: 4,
        }
    }
}

/// A person on screen in a shot: a face track seen in at least a quarter of its samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Person {
    pub track: usize,
    /// Median centre x (source pixels): panels keep the source's left-to-right order.
    pub cx: f32,
    /// Share of the shot's samples the face was seen in.
    pub presence: f32,
}

/// The layout of a shot with `people` (any order) whose spoken turns last `turns` seconds
/// each (see `stretch::ShotPlan`), with the reason in words for clips.json.
pub fn choose(
    policy: LayoutPolicy,
    people: &[Person],
    turns: &[f64],
    p: &LayoutParams,
) -> (ShotLayout, String) {
    let n = people.len();
    let panels = || {
        let mut most: Vec<Person> = people.to_vec();
        most.sort_by(|a, b| b.presence.total_cmp(&a.presence));
        most.truncate(p.max_panels);
        most.sort_by(|a, b| a.cx.total_cmp(&b.cx));
        ShotLayout::Panels(most.iter().map(|q| q.track).collect())
    };
    let count = turns.len();
    let median = {
        let mut t = turns.to_vec();
        t.sort_by(f64::total_cmp);
        t.get(t.len() / 2).copied().unwrap_or(0.0)
    };
    let turns = format!("{count} turns, median {median:.1} s");
    match policy {
        LayoutPolicy::Speaker => (ShotLayout::Speaker, String::new()),
        LayoutPolicy::Split if n >= 2 => (panels(), format!("split: {n} people")),
        LayoutPolicy::Split => (ShotLayout::Speaker, format!("split: {n} people on screen")),
        LayoutPolicy::Auto => match n {
            0 => (ShotLayout::Wide, "no face".into()),
            1 => (ShotLayout::Speaker, "one person".into()),
            n if n > p.max_panels => (ShotLayout::Wide, format!("{n} people: a wide shot")),
            n if count >= p.rapid_turns && median < p.rapid_turn => {
                (panels(), format!("{n} people, {turns}: a rapid exchange"))
            }
            n if n >= 3 && count == 0 => (panels(), format!("{n} people, no clear speaker")),
            n => (
                ShotLayout::Speaker,
                format!("{n} people, {turns}: cuts to the speaker"),
            ),
        },
    }
}

/// A layout a user can pin a stretch to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinnedLayout {
    /// One person's crop (the speaker, as without the pin).
    Speaker,
    /// Panels of the people on screen (split for two, rows or a grid for three or four).
    Split,
    /// The whole frame over a blurred copy.
    Blur,
}

/// A user's framing override for a clip-time range, kept in clips.json (`overrides` of a
/// clip) and honoured on re-render. Exactly one of `track`, `face`, `crop`, `layout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Clip time, seconds.
    pub start: f64,
    pub end: f64,
    /// Follow this face: an id from `shots[].tracks` of the shot where `start` falls. In
    /// later shots of the range, the face nearest where that one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<usize>,
    /// Follow the face nearest this point (source pixels, x and y).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face: Option<[f32; 2]>,
    /// A fixed window, source pixels (x, y, width, height). Its centre and height are kept;
    /// its width follows the output's aspect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crop: Option<[u32; 4]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<PinnedLayout>,
}

/// What an override pins, once checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pin {
    Track(usize),
    Face([f32; 2]),
    Crop([u32; 4]),
    Layout(PinnedLayout),
}

impl Override {
    /// The pin, or what is wrong with it, naming the field (the caller names the clip).
    pub fn check(&self, clip_duration: f64, src_w: u32, src_h: u32) -> Result<Pin, String> {
        if !(self.start.is_finite() && self.end.is_finite()) || self.start < 0.0 {
            return Err(format!(
                "start/end {}..{} are not times",
                self.start, self.end
            ));
        }
        if self.end <= self.start {
            return Err(format!(
                "end {} is not after start {}",
                self.end, self.start
            ));
        }
        if self.start >= clip_duration {
            return Err(format!(
                "start {} is past the clip's end ({clip_duration:.3} s)",
                self.start
            ));
        }
        let mut pins = Vec::new();
        if let Some(t) = self.track {
            pins.push(Pin::Track(t));
        }
        if let Some(f) = self.face {
            if !(f[0] >= 0.0 && f[1] >= 0.0 && f[0] < src_w as f32 && f[1] < src_h as f32) {
                return Err(format!(
                    "face [{}, {}] is outside the {src_w}x{src_h} source",
                    f[0], f[1]
                ));
            }
            pins.push(Pin::Face(f));
        }
        if let Some(c) = self.crop {
            let [x, y, w, h] = c;
            if w < 16 || h < 16 || x.saturating_add(w) > src_w || y.saturating_add(h) > src_h {
                return Err(format!(
                    "crop [{x}, {y}, {w}, {h}] is not a window of at least 16x16 inside the \
                     {src_w}x{src_h} source"
                ));
            }
            pins.push(Pin::Crop(c));
        }
        if let Some(l) = self.layout {
            pins.push(Pin::Layout(l));
        }
        match pins.as_slice() {
            [one] => Ok(*one),
            [] => Err("names none of track, face, crop, layout".into()),
            _ => Err("names more than one of track, face, crop, layout".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test
    use super::*;

    fn person(track: usize, cx: f32, presence: f32) -> Person {
        Person {
            track,
            cx,
            presence,
        }
    }

    /// `count` spoken turns of `len` seconds.
    fn turns(count: usize, len: f64) -> Vec<f64> {
        vec![len; count]
    }

    #[test]
    fn auto_splits_rapid_exchanges_and_cuts_between_long_turns() {
        let two = [person(1, 900.0, 1.0), person(0, 300.0, 1.0)];
        let p = LayoutParams::default();
        let (l, why) = choose(LayoutPolicy::Auto, &two, &turns(6, 1.5), &p);
        // Left-to-right order, whatever the track ids.
        assert_eq!(l, ShotLayout::Panels(vec![0, 1]), "{why}");
        assert!(why.contains("rapid"), "{why}");
        let (l, why) = choose(LayoutPolicy::Auto, &two, &turns(4, 5.0), &p);
        assert_eq!(l, ShotLayout::Speaker, "{why}");
        // Two long turns and one short one: not rapid (the median is long).
        let mixed = [5.0, 5.0, 1.0];
        assert_eq!(
            choose(LayoutPolicy::Auto, &two, &mixed, &p).0,
            ShotLayout::Speaker
        );
        // Too few turns to call it an exchange.
        assert_eq!(
            choose(LayoutPolicy::Auto, &two, &turns(2, 1.0), &p).0,
            ShotLayout::Speaker
        );
    }

    #[test]
    fn auto_by_head_count() {
        let p = LayoutParams::default();
        assert_eq!(choose(LayoutPolicy::Auto, &[], &[], &p).0, ShotLayout::Wide);
        assert_eq!(
            choose(LayoutPolicy::Auto, &[person(0, 5.0, 1.0)], &[], &p).0,
            ShotLayout::Speaker
        );
        let three = [
            person(0, 100.0, 1.0),
            person(1, 500.0, 1.0),
            person(2, 900.0, 0.5),
        ];
        // Three people and nobody clearly speaking: show them all.
        assert_eq!(
            choose(LayoutPolicy::Auto, &three, &[], &p).0,
            ShotLayout::Panels(vec![0, 1, 2])
        );
        // A clear speaker with long turns: the speaker's crop.
        assert_eq!(
            choose(LayoutPolicy::Auto, &three, &turns(2, 4.0), &p).0,
            ShotLayout::Speaker
        );
        let crowd: Vec<Person> = (0..6).map(|i| person(i, i as f32 * 100.0, 0.8)).collect();
        assert_eq!(
            choose(LayoutPolicy::Auto, &crowd, &[], &p).0,
            ShotLayout::Wide
        );
    }

    #[test]
    fn split_keeps_the_four_seen_most_in_source_order() {
        let p = LayoutParams::default();
        let five = [
            person(0, 400.0, 0.9),
            person(1, 100.0, 0.3),
            person(2, 800.0, 1.0),
            person(3, 200.0, 0.95),
            person(4, 600.0, 0.6),
        ];
        let (l, _) = choose(LayoutPolicy::Split, &five, &[], &p);
        assert_eq!(l, ShotLayout::Panels(vec![3, 0, 4, 2]));
        assert_eq!(
            choose(LayoutPolicy::Split, &five[..1], &[], &p).0,
            ShotLayout::Speaker
        );
        assert_eq!(
            choose(LayoutPolicy::Speaker, &five, &[], &p).0,
            ShotLayout::Speaker
        );
    }

    #[test]
    fn overrides_are_checked_field_by_field() {
        let o = |json: &str| serde_json::from_str::<Override>(json).unwrap();
        assert_eq!(
            o(r#"{"start":1,"end":2,"track":3}"#).check(10.0, 1920, 1080),
            Ok(Pin::Track(3))
        );
        assert_eq!(
            o(r#"{"start":1,"end":2,"layout":"split"}"#).check(10.0, 1920, 1080),
            Ok(Pin::Layout(PinnedLayout::Split))
        );
        let err = |json: &str| o(json).check(10.0, 1920, 1080).unwrap_err();
        assert!(err(r#"{"start":2,"end":1,"track":0}"#).contains("end"));
        assert!(err(r#"{"start":11,"end":12,"track":0}"#).contains("past the clip"));
        assert!(err(r#"{"start":1,"end":2}"#).contains("none of"));
        assert!(err(r#"{"start":1,"end":2,"track":0,"layout":"blur"}"#).contains("more than one"));
        assert!(err(r#"{"start":1,"end":2,"crop":[1800,0,400,400]}"#).contains("crop"));
        assert!(err(r#"{"start":1,"end":2,"face":[-5,3]}"#).contains("face"));
        // A misspelt key is an error, not a silently ignored pin.
        assert!(serde_json::from_str::<Override>(r#"{"start":1,"end":2,"trak":0}"#).is_err());
    }
}
