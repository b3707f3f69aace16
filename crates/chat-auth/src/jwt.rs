//! Verifying callers' JWTs where API Gateway's authorizer does not (`chat-auth serve`,
//! and `/auth` when anonymous viewers are on): the same rules as the authorizer,
//! signature against the issuer's JWKS, then `iss`, `aud` (or Cognito's `client_id`),
//! `exp` and `nbf`. A token signed by a key the verifier does not know makes it read the
//! issuer's keys again (at most once a minute), so key rotations need no restart.

use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_rustls::ConfigBuilderExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::config::{JwksSource, JwtSettings};

/// A JWKS larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Seconds of clock difference tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;
/// The issuer's keys are read again at most this often.
const MIN_REFRESH: Duration = Duration::from_secs(60);

type Keys = Vec<(Option<String>, Algorithm, DecodingKey)>;

/// Why a token was refused; shown to the caller as a 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a signed JWT")]
    Malformed,
    #[error("the token is signed by a key the issuer does not publish")]
    UnknownKey,
    #[error("the token's signature, issuer, expiry or start time is not valid ({0})")]
    Invalid(String),
    #[error("the token is for another audience")]
    WrongAudience,
}

/// The issuer's keys and the rules a token must pass.
pub struct Verifier {
    keys: RwLock<Keys>,
    /// Where the keys are read again from; `None` for a verifier built from a document.
    source: Option<JwksSource>,
    refreshed: Mutex<Instant>,
    min_refresh: Duration,
    validation_template: Validation,
    audiences: Vec<String>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys.read().map_or(0, |k| k.len()))
            .field("audiences", &self.audiences)
            .finish()
    }
}

impl Verifier {
    /// Loads the issuer's keys from the configured file or URL.
    pub async fn load(settings: &JwtSettings) -> Result<Verifier, String> {
        let json = read_jwks(&settings.jwks).await?;
        let mut verifier = Verifier::from_jwks(&json, settings)?;
        verifier.source = Some(settings.jwks.clone());
        Ok(verifier)
    }

    /// Builds the verifier from a JWKS document.
    pub fn from_jwks(json: &str, settings: &JwtSettings) -> Result<Verifier, String> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.leeway = LEEWAY_SECONDS;
        Ok(Verifier {
            keys: RwLock::new(keys(json)?),
            source: None,
            refreshed: Mutex::new(Instant::now()),
            min_refresh: MIN_REFRESH,
            validation_template: validation,
            audiences: settings.audiences.clone(),
        })
    }

    /// The claims of a valid token. A token signed by an unknown key is checked again
    /// after the keys are read again, when they were not read in the last minute.
    pub async fn verify(&self, token: &str) -> Result<Map<String, Value>, TokenError> {
        match self.check(token) {
            Err(TokenError::UnknownKey) if self.refresh().await => self.check(token),
            checked => checked,
        }
    }

    /// Reads the keys again; whether they were.
    async fn refresh(&self) -> bool {
        let Some(source) = &self.source else {
            return false;
        };
        {
            let Ok(mut refreshed) = self.refreshed.lock() else {
                return false;
            };
            if refreshed.elapsed() < self.min_refresh {
                return false;
            }
            *refreshed = Instant::now();
        }
        match read_jwks(source).await.and_then(|json| keys(&json)) {
            Ok(fresh) => {
                tracing::info!(keys = fresh.len(), "the issuer's keys were read again");
                self.keys.write().map(|mut keys| *keys = fresh).is_ok()
            }
            Err(e) => {
                tracing::warn!(error = %e, "the issuer's keys could not be read again");
                false
            }
        }
    }

    /// The claims of a valid token, with the keys known now.
    fn check(&self, token: &str) -> Result<Map<String, Value>, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        let keys = self.keys.read().map_err(|_| TokenError::UnknownKey)?;
        let (_, alg, key) = keys
            .iter()
            .find(|(kid, alg, _)| {
                *alg == header.alg && (header.kid.is_none() || *kid == header.kid)
            })
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = self.validation_template.clone();
        validation.algorithms = vec![*alg];
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let claims = data.claims;
        // As API Gateway's authorizer: `aud`, or for Cognito access tokens `client_id`.
        let audience_ok = match claims.get("aud") {
            Some(Value::String(aud)) => self.audiences.contains(aud),
            Some(Value::Array(auds)) => auds.iter().any(|a| {
                a.as_str()
                    .is_some_and(|a| self.audiences.iter().any(|x| x == a))
            }),
            _ => claims
                .get("client_id")
                .and_then(Value::as_str)
                .is_some_and(|id| self.audiences.iter().any(|x| x == id)),
        };
        if !audience_ok {
            return Err(TokenError::WrongAudience);
        }
        Ok(claims)
    }
}

/// The JWKS document at the configured file or URL.
async fn read_jwks(source: &JwksSource) -> Result<String, String> {
    match source {
        JwksSource::File(path) => read_file(path).map_err(|e| format!("JWKS_FILE {path}: {e}")),
        JwksSource::Url(url) => fetch(url).await.map_err(|e| format!("JWKS_URL {url}: {e}")),
    }
}

/// The signing keys of a JWKS document.
fn keys(json: &str) -> Result<Keys, String> {
    let set: JwkSet =
        serde_json::from_str(json).map_err(|e| format!("the JWKS is not valid: {e}"))?;
    let mut keys = Vec::new();
    for jwk in &set.keys {
        // Symmetric keys cannot verify an issuer's tokens here; RSA keys published
        // without `alg` (Entra ID) sign RS256; other keys need their `alg`.
        let alg = match jwk.common.key_algorithm {
            Some(a) => Algorithm::try_from(a).ok(),
            None => {
                matches!(jwk.algorithm, AlgorithmParameters::RSA(_)).then_some(Algorithm::RS256)
            }
        };
        let Some(alg) = alg else {
            continue;
        };
        if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            continue;
        }
        if let Ok(key) = DecodingKey::from_jwk(jwk) {
            keys.push((jwk.common.key_id.clone(), alg, key));
        }
    }
    if keys.is_empty() {
        return Err("the JWKS has no usable signing key (RSA, EC or Ed25519 with an alg)".into());
    }
    Ok(keys)
}

/// A JWKS file: a regular file (not a FIFO or device) of bounded size.
fn read_file(path: &str) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.len() > MAX_JWKS_BYTES as u64 {
        return Err(format!(
            "expected a regular file of at most {} KB",
            MAX_JWKS_BYTES / 1024
        ));
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

/// GETs a JWKS over HTTPS (or plain HTTP on 127.0.0.1, for local issuers).
async fn fetch(url: &str) -> Result<String, String> {
    let tls = rustls::ClientConfig::builder()
        .with_native_roots()
        .map_err(|e| format!("no trusted root certificates: {e}"))?
        .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
    let uri: hyper::Uri = url.parse().map_err(|_| "not a URL".to_owned())?;
    let get = async {
        let response = client.get(uri).await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status()));
        }
        let body = Limited::new(response.into_body(), MAX_JWKS_BYTES)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        String::from_utf8(body.to_vec()).map_err(|_| "the JWKS is not UTF-8".to_owned())
    };
    tokio::time::timeout(Duration::from_secs(5), get)
        .await
        .map_err(|_| "no answer within 5 s".to_owned())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    const ISSUER: &str = "https://issuer.test/pool";

    /// A signing key and a verifier that trusts it.
    fn issuer() -> (EncodingKey, Verifier) {
        let (key, jwk) = ed_key("k1");
        let jwks = json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0", "alg": "HS256", "kid": "hmac"},
            jwk
        ]});
        let settings = JwtSettings {
            issuer: ISSUER.into(),
            audiences: vec!["app".into()],
            jwks: JwksSource::File(String::new()),
        };
        let verifier = Verifier::from_jwks(&jwks.to_string(), &settings).unwrap();
        (key, verifier)
    }

    fn sign(key: &EncodingKey, claims: Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    }

    fn verify(verifier: &Verifier, token: &str) -> Result<Map<String, Value>, TokenError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(verifier.verify(token))
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn valid_tokens_give_their_claims() {
        let (key, verifier) = issuer();
        let exp = now() + 600;
        let id_token = sign(
            &key,
            json!({"sub": "u1", "iss": ISSUER, "aud": "app", "exp": exp}),
        );
        assert_eq!(verify(&verifier, &id_token).unwrap()["sub"], "u1");
        let access = sign(
            &key,
            json!({"sub": "u1", "iss": ISSUER, "client_id": "app", "exp": exp}),
        );
        assert!(
            verify(&verifier, &access).is_ok(),
            "Cognito access tokens carry client_id"
        );
        let listed = sign(
            &key,
            json!({"sub": "u1", "iss": ISSUER, "aud": ["x", "app"], "exp": exp}),
        );
        assert!(verify(&verifier, &listed).is_ok());
    }

    #[test]
    fn every_rule_refuses_what_breaks_it() {
        let (key, verifier) = issuer();
        let exp = now() + 600;
        let refused = |claims: Value| verify(&verifier, &sign(&key, claims)).unwrap_err();
        assert_eq!(
            refused(json!({"sub": "u", "iss": ISSUER, "aud": "other", "exp": exp})),
            TokenError::WrongAudience
        );
        assert_eq!(
            refused(json!({"sub": "u", "iss": ISSUER, "exp": exp})),
            TokenError::WrongAudience
        );
        for claims in [
            json!({"sub": "u", "iss": "https://evil.test", "aud": "app", "exp": exp}),
            json!({"sub": "u", "iss": ISSUER, "aud": "app", "exp": now() - 120}),
            json!({"sub": "u", "iss": ISSUER, "aud": "app", "exp": exp, "nbf": now() + 300}),
            json!({"iss": ISSUER, "aud": "app", "exp": exp}),
        ] {
            assert!(
                matches!(refused(claims.clone()), TokenError::Invalid(_)),
                "{claims}"
            );
        }
        assert_eq!(verify(&verifier, "not.a.jwt"), Err(TokenError::Malformed));

        let (other_key, _) = issuer();
        let forged = sign(
            &other_key,
            json!({"sub": "u", "iss": ISSUER, "aud": "app", "exp": exp}),
        );
        assert!(matches!(
            verify(&verifier, &forged),
            Err(TokenError::Invalid(_))
        ));
        // A token "signed" with the published HMAC key's bytes is refused: symmetric
        // keys in a JWKS are never used.
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("hmac".into());
        let hmac = jsonwebtoken::encode(
            &header,
            &json!({"sub": "u", "iss": ISSUER, "aud": "app", "exp": exp}),
            &EncodingKey::from_secret(b"secret"),
        )
        .unwrap();
        assert_eq!(verify(&verifier, &hmac), Err(TokenError::UnknownKey));
    }

    /// An Ed25519 key: its PKCS#8 document and its JWKS entry.
    fn ed_key(kid: &str) -> (EncodingKey, Value) {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": x, "alg": "EdDSA", "kid": kid});
        (EncodingKey::from_ed_der(pkcs8.as_ref()), jwk)
    }

    #[tokio::test]
    async fn a_rotated_key_is_read_again_at_most_once_a_minute() {
        let path = std::env::temp_dir().join(format!("jwks-{}.json", std::process::id()));
        let (old_key, old_jwk) = ed_key("old");
        let (new_key, new_jwk) = ed_key("new");
        std::fs::write(&path, json!({"keys": [old_jwk]}).to_string()).unwrap();
        let settings = JwtSettings {
            issuer: ISSUER.into(),
            audiences: vec!["app".into()],
            jwks: JwksSource::File(path.display().to_string()),
        };
        let mut verifier = Verifier::load(&settings).await.unwrap();
        let claims = json!({"sub": "u", "iss": ISSUER, "aud": "app", "exp": now() + 600});
        let signed = |key: &EncodingKey, kid: &str| {
            let mut header = Header::new(Algorithm::EdDSA);
            header.kid = Some(kid.into());
            jsonwebtoken::encode(&header, &claims, key).unwrap()
        };
        assert!(verifier.verify(&signed(&old_key, "old")).await.is_ok());
        std::fs::write(&path, json!({"keys": [new_jwk]}).to_string()).unwrap();
        assert_eq!(
            verifier.verify(&signed(&new_key, "new")).await,
            Err(TokenError::UnknownKey),
            "read at start, less than a minute ago"
        );
        verifier.min_refresh = Duration::ZERO;
        assert!(verifier.verify(&signed(&new_key, "new")).await.is_ok());
        assert_eq!(
            verifier.verify(&signed(&old_key, "old")).await,
            Err(TokenError::UnknownKey),
            "the retired key is gone"
        );
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_jwks_without_usable_keys_is_refused() {
        let settings = JwtSettings {
            issuer: ISSUER.into(),
            audiences: vec!["app".into()],
            jwks: JwksSource::File(String::new()),
        };
        assert!(Verifier::from_jwks(r#"{"keys": []}"#, &settings).is_err());
        assert!(Verifier::from_jwks("not json", &settings).is_err());
    }
}
