//! Spam heuristics on the whole message: length, shouting, character floods.

/// The checks of one spam rule; `None` switches a check off.
#[derive(Debug, Clone, PartialEq)]
pub struct SpamLimits {
    pub max_length: Option<usize>,
    pub max_caps_ratio: Option<f64>,
    /// Shouting is judged only on messages with at least this many letters.
    pub min_letters: usize,
    pub max_repeat: Option<usize>,
}

impl SpamLimits {
    /// The first limit `text` breaks, described for `--explain` and logs.
    pub fn check(&self, text: &str) -> Option<String> {
        let mut chars = 0usize;
        let mut letters = 0usize;
        let mut upper = 0usize;
        let mut longest = 0usize;
        let mut current = 0usize;
        let mut previous = None;
        for c in text.chars() {
            chars += 1;
            if c.is_alphabetic() {
                letters += 1;
                if c.is_uppercase() {
                    upper += 1;
                }
            }
            if Some(c) == previous && !c.is_whitespace() {
                current += 1;
            } else {
                current = 1;
            }
            longest = longest.max(current);
            previous = Some(c);
        }
        if let Some(max) = self.max_length.filter(|&m| chars > m) {
            return Some(format!("length {chars} > {max}"));
        }
        if let Some(max) = self.max_repeat.filter(|&m| longest > m) {
            return Some(format!("repeat {longest} > {max}"));
        }
        if let Some(max) = self.max_caps_ratio {
            let ratio = upper as f64 / letters.max(1) as f64;
            if letters >= self.min_letters && ratio > max {
                return Some(format!("caps {:.0}% > {:.0}%", ratio * 100.0, max * 100.0));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SpamLimits {
        SpamLimits {
            max_length: Some(20),
            max_caps_ratio: Some(0.7),
            min_letters: 8,
            max_repeat: Some(5),
        }
    }

    #[test]
    fn each_check_triggers() {
        assert_eq!(
            limits().check("aaaa bbbb cccc dddd eeee").unwrap(),
            "length 24 > 20"
        );
        assert_eq!(limits().check("nooooooo").unwrap(), "repeat 7 > 5");
        assert_eq!(limits().check("WHY IS THIS SO").unwrap(), "caps 100% > 70%");
    }

    #[test]
    fn ordinary_messages_pass() {
        assert_eq!(limits().check("Hello there"), None);
        assert_eq!(
            limits().check("OK LOL"),
            None,
            "too few letters to judge shouting"
        );
        assert_eq!(limits().check("ünïcödé 你好"), None);
    }
}
