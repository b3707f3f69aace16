//! Which browser origins may call an HTTP function: the server-side allowlist behind
//! `Access-Control-Allow-Origin`.

use std::collections::BTreeSet;

use crate::config::{ConfigError, Env};

/// A request's `Origin` that is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this origin may not call the API")]
pub struct OriginRefused;

/// Which browser origins may call the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    /// `*`: any origin, answered with `Access-Control-Allow-Origin: *`.
    Any,
    /// Exact origins such as `https://shop.example.com`, lowercased.
    List(BTreeSet<String>),
}

impl Origins {
    /// Reads `variable`: `*`, or a comma list of origins (`null`, the origin of pages
    /// opened from `file://`, only when listed by name).
    pub fn from_env(env: &Env, variable: &'static str) -> Result<Origins, ConfigError> {
        match env.get(variable).as_deref() {
            None => Err(ConfigError::new(
                variable,
                "required: a comma list of origins such as https://shop.example.com, or * for any",
            )),
            Some("*") => Ok(Origins::Any),
            Some(_) => {
                let mut set = BTreeSet::new();
                for origin in env.list(variable) {
                    set.insert(check_origin(variable, &origin)?);
                }
                Ok(Origins::List(set))
            }
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, or `None` when
    /// that origin is not allowed.
    pub fn allow(&self, origin: &str) -> Option<String> {
        match self {
            Origins::Any => Some("*".to_owned()),
            Origins::List(list) => {
                let normal = origin.trim_end_matches('/').to_ascii_lowercase();
                list.contains(&normal).then(|| origin.to_owned())
            }
        }
    }

    /// What to answer a request with this `Origin` header: `Ok(None)` when the request
    /// has none and only a list is allowed (no CORS header), `OriginRefused` when the origin
    /// is not allowed or not visible ASCII (none this API lists).
    pub fn answer(&self, origin: Option<&[u8]>) -> Result<Option<String>, OriginRefused> {
        match origin {
            None => Ok(matches!(self, Origins::Any).then(|| "*".to_owned())),
            Some(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|_| OriginRefused)?;
                if !text.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(OriginRefused);
                }
                self.allow(text).map(Some).ok_or(OriginRefused)
            }
        }
    }
}

fn check_origin(variable: &'static str, origin: &str) -> Result<String, ConfigError> {
    let normal = origin.trim_end_matches('/').to_ascii_lowercase();
    let valid = normal == "null"
        || normal.split_once("://").is_some_and(|(scheme, host)| {
            matches!(scheme, "http" | "https")
                && !host.is_empty()
                && !host.contains(['/', '?', '#', '*', ' '])
        });
    if valid {
        Ok(normal)
    } else {
        Err(ConfigError::new(
            variable,
            format!("{origin:?} is not an origin like https://shop.example.com (scheme and host, no path)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(value: &str) -> Result<Origins, ConfigError> {
        Origins::from_env(&Env::from_pairs(&[("ORIGINS", value)]), "ORIGINS")
    }

    #[test]
    fn listed_origins_match_exactly_ignoring_case_and_trailing_slash() {
        let o = origins("https://Shop.example.com/, http://localhost:3000").unwrap();
        assert_eq!(
            o.allow("https://SHOP.example.com/").as_deref(),
            Some("https://SHOP.example.com/")
        );
        assert_eq!(o.allow("https://evil.example.com"), None);
        assert_eq!(o.allow("null"), None, "null only when listed");
        assert_eq!(
            origins("null").unwrap().allow("null").as_deref(),
            Some("null")
        );
    }

    #[test]
    fn answers_by_header() {
        let list = origins("https://a.example").unwrap();
        assert_eq!(list.answer(None), Ok(None));
        assert_eq!(
            list.answer(Some(b"https://a.example")),
            Ok(Some("https://a.example".into()))
        );
        assert_eq!(list.answer(Some(b"https://b.example")), Err(OriginRefused));
        assert_eq!(
            list.answer(Some("https://\u{430}.example".as_bytes())),
            Err(OriginRefused),
            "a non-ASCII origin is refused, not treated as absent"
        );
        assert_eq!(Origins::Any.answer(None), Ok(Some("*".into())));
        assert_eq!(
            Origins::Any.answer(Some(b"https://x.y")),
            Ok(Some("*".into()))
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = origins("shop.example.com").unwrap_err();
        assert_eq!(e.variable, "ORIGINS");
        assert!(e.message.contains("scheme and host"), "{e}");
        assert!(origins("https://a.example/path").is_err());
        assert!(origins("https://*.example").is_err());
        assert!(Origins::from_env(&Env::from_pairs(&[]), "ORIGINS").is_err());
    }
}
