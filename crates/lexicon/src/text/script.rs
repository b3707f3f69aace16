//! Which writing system a letter belongs to, and the per-script folds that make two
//! spellings of one word the same letters (Arabic letter forms, katakana and hiragana,
//! Devanagari nukta and chandrabindu, Cyrillic case and `ё`).

/// Writing systems whose words the lexicon matches natively. Letters of every other
/// script go through decancer, which reads look-alikes and styled letters as Latin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Hebrew,
    Devanagari,
    Thai,
    Hangul,
    /// Chinese characters and Japanese kana: written without spaces, and mixed within
    /// one Japanese word.
    Cjk,
}

impl Script {
    /// Scripts that write no spaces between words: consecutive letters stay joined,
    /// and entries match anywhere inside.
    pub fn without_spaces(self) -> bool {
        matches!(self, Script::Thai | Script::Cjk)
    }

    /// Whether two scripts may be mixed inside one word without a boundary: Latin and
    /// Cyrillic (look-alike evasions mix them).
    pub fn mixes_with(self, other: Script) -> bool {
        self == other
            || matches!(
                (self, other),
                (Script::Latin, Script::Cyrillic) | (Script::Cyrillic, Script::Latin)
            )
    }
}

/// What a non-ASCII character is to the normaliser, before decancer.
pub(super) enum Native {
    /// A letter of a natively matched script, folded.
    Letter(Script, char),
    /// Renders as nothing or only decorates a letter (Arabic harakat, nukta, tatweel).
    Nothing,
    /// Not natively matched: decancer decides.
    Other,
}

/// Folds `ch` when its script is matched natively.
pub(super) fn native(ch: char) -> Native {
    let c = u32::from(ch);
    match c {
        0x0400..=0x052F => Native::Letter(Script::Cyrillic, fold_cyrillic(ch)),
        // Harakat, superscript alef, tatweel: vowel marks and decoration.
        0x064B..=0x065F | 0x0670 | 0x0640 | 0x06D6..=0x06ED => Native::Nothing,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF => match fold_arabic(ch) {
            Some(f) => Native::Letter(Script::Arabic, f),
            None => Native::Other,
        },
        // Niqqud and cantillation marks.
        0x0591..=0x05C7 => Native::Nothing,
        0x05D0..=0x05EA => Native::Letter(Script::Hebrew, ch),
        0x093C => Native::Nothing, // nukta: ड़ reads as ड
        0x0901 => Native::Letter(Script::Devanagari, '\u{0902}'), // chandrabindu as anusvara
        0x0900..=0x097F => match ch {
            '\u{0958}'..='\u{095F}' => Native::Letter(Script::Devanagari, without_nukta(ch)),
            '\u{0964}' | '\u{0965}' => Native::Other, // danda: sentence punctuation
            _ => Native::Letter(Script::Devanagari, ch),
        },
        0x0E01..=0x0E4E => Native::Letter(Script::Thai, ch),
        0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3131..=0x318E => Native::Letter(Script::Hangul, ch),
        // Katakana read as hiragana, so that one entry covers both spellings.
        0x30A1..=0x30F6 => Native::Letter(Script::Cjk, char::from_u32(c - 0x60).unwrap_or(ch)),
        0x3041..=0x3096 | 0x30FC | 0x3005 => Native::Letter(Script::Cjk, ch),
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => {
            Native::Letter(Script::Cjk, ch)
        }
        _ => Native::Other,
    }
}

fn fold_cyrillic(ch: char) -> char {
    let lower = ch.to_lowercase().next().unwrap_or(ch);
    match lower {
        'ё' => 'е',
        other => other,
    }
}

/// One letter for each group of Arabic spellings people use interchangeably: alef
/// with hamza or madda, alef maqsura and yeh, teh marbuta and heh, Persian yeh and
/// keheh. `None` for digits and punctuation.
fn fold_arabic(ch: char) -> Option<char> {
    Some(match ch {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' | 'ی' | 'ئ' | 'ې' => 'ي',
        'ة' => 'ه',
        'ؤ' => 'و',
        'ک' => 'ك',
        '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' => return None,
        '\u{060C}' | '\u{061B}' | '\u{061F}' | '\u{06D4}' | '\u{066A}'..='\u{066D}' => return None,
        other => other,
    })
}

/// The Devanagari letter a precomposed nukta letter is drawn on (क़ → क).
fn without_nukta(ch: char) -> char {
    match ch {
        '\u{0958}' => 'क',
        '\u{0959}' => 'ख',
        '\u{095A}' => 'ग',
        '\u{095B}' => 'ज',
        '\u{095C}' => 'ड',
        '\u{095D}' => 'ढ',
        '\u{095E}' => 'फ',
        '\u{095F}' => 'य',
        other => other,
    }
}

/// The Cyrillic letter that looks like Latin `b` (lowercase), for reading a Latin
/// look-alike inside a Cyrillic word (`xуй` is `хуй`).
pub(super) fn cyrillic_look_alike(latin: u8) -> Option<char> {
    Some(match latin {
        b'a' => 'а',
        b'b' => 'в',
        b'c' => 'с',
        b'e' => 'е',
        b'h' => 'н',
        b'k' => 'к',
        b'm' => 'м',
        b'n' => 'п',
        b'o' => 'о',
        b'p' => 'р',
        b't' => 'т',
        b'u' => 'и',
        b'x' => 'х',
        b'y' => 'у',
        b'3' => 'з',
        b'0' => 'о',
        b'4' => 'ч',
        b'6' => 'б',
        _ => return None,
    })
}

/// The script of a skeleton letter, for telling which language a message is in.
pub fn script_of(ch: char) -> Option<Script> {
    Some(match u32::from(ch) {
        0x61..=0x7A => Script::Latin,
        0x0400..=0x052F => Script::Cyrillic,
        0x0600..=0x08FF => Script::Arabic,
        0x05D0..=0x05EA => Script::Hebrew,
        0x0900..=0x097F => Script::Devanagari,
        0x0E01..=0x0E4E => Script::Thai,
        0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3131..=0x318E => Script::Hangul,
        0x3041..=0x30FF | 0x3005 | 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => {
            Script::Cjk
        }
        _ => return None,
    })
}

/// The Latin letter a Cyrillic letter passes for, as written (`С` and `с` look like
/// `c`; `В` looks like `b` but `в` does not), or 0. Most Russian and Ukrainian words
/// have letters without a Latin look-alike, so only words spelled entirely in
/// look-alikes get a Latin reading.
pub(super) fn latin_look_alike(original: char) -> u8 {
    match original {
        'а' | 'А' => b'a',
        'В' | 'ь' => b'b',
        'с' | 'С' => b'c',
        'ԁ' => b'd',
        'е' | 'Е' => b'e',
        'һ' | 'Һ' | 'Н' | 'н' => b'h',
        'і' | 'І' => b'i',
        'ј' | 'Ј' => b'j',
        'к' | 'К' => b'k',
        'ӏ' => b'l',
        'М' | 'м' => b'm',
        'о' | 'О' => b'o',
        'р' | 'Р' => b'p',
        'ԛ' => b'q',
        'ѕ' | 'Ѕ' => b's',
        'т' | 'Т' => b't',
        'ԝ' => b'w',
        'х' | 'Х' => b'x',
        'у' | 'У' | 'ү' | 'Ү' => b'y',
        _ => 0,
    }
}
