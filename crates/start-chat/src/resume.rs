//! Resume tickets: proof that a caller owns the earlier chat it asks Connect to
//! continue (`PersistentChat`) or to relate to (`RelatedContactId`).
//!
//! Connect rehydrates an earlier chat's transcript into the new one for whoever names
//! its contact ID, so a contact ID alone must not be enough. With persistent chat on,
//! every chat started here comes back with a ticket, an HMAC of its contact ID and an
//! expiry under a server secret; a later request may continue that contact only with
//! that ticket.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// Issues and checks tickets with one secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TicketKey {
    secret: Vec<u8>,
    lifetime: Duration,
}

impl std::fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketKey")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// Why a ticket does not let the caller continue a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("a resume ticket is required to continue an earlier chat")]
    Missing,
    #[error("the resume ticket is not valid for this contact")]
    Invalid,
    #[error("the resume ticket has expired")]
    Expired,
}

impl TicketKey {
    /// A key over `secret` whose tickets are valid for `lifetime`.
    pub fn new(secret: &[u8], lifetime: Duration) -> Self {
        TicketKey {
            secret: secret.to_vec(),
            lifetime,
        }
    }

    /// The ticket for `contact_id`, valid from `now` for the key's lifetime.
    pub fn issue(&self, contact_id: &str, now: SystemTime) -> String {
        let expires = unix_seconds(now).saturating_add(self.lifetime.as_secs());
        let mac = self.mac(contact_id, expires).finalize().into_bytes();
        format!("v1.{expires}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    /// Whether `ticket` was issued for `contact_id` and is still valid at `now`.
    pub fn verify(
        &self,
        ticket: Option<&str>,
        contact_id: &str,
        now: SystemTime,
    ) -> Result<(), TicketError> {
        let ticket = ticket.ok_or(TicketError::Missing)?;
        let mut parts = ticket.splitn(3, '.');
        let (Some("v1"), Some(expires), Some(signature)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(TicketError::Invalid);
        };
        let expires: u64 = expires.parse().map_err(|_| TicketError::Invalid)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TicketError::Invalid)?;
        // Constant-time comparison: the signature is checked before the expiry, so a
        // forged ticket learns nothing from the answer either.
        self.mac(contact_id, expires)
            .verify_slice(&signature)
            .map_err(|_| TicketError::Invalid)?;
        if unix_seconds(now) >= expires {
            return Err(TicketError::Expired);
        }
        Ok(())
    }

    fn mac(&self, contact_id: &str, expires: u64) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(format!("v1\n{contact_id}\n{expires}").as_bytes());
        mac
    }
}

fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    fn key() -> TicketKey {
        TicketKey::new(&[7; 32], DAY)
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn a_ticket_continues_its_own_contact_until_it_expires() {
        let ticket = key().issue("contact-1", at(1_000));
        assert_eq!(key().verify(Some(&ticket), "contact-1", at(2_000)), Ok(()));
        assert_eq!(
            key().verify(Some(&ticket), "contact-1", at(1_000 + 86_400)),
            Err(TicketError::Expired)
        );
    }

    #[test]
    fn a_ticket_is_worthless_for_another_contact_or_under_another_secret() {
        let ticket = key().issue("contact-1", at(1_000));
        assert_eq!(
            key().verify(Some(&ticket), "contact-2", at(2_000)),
            Err(TicketError::Invalid)
        );
        let other = TicketKey::new(&[8; 32], DAY);
        assert_eq!(
            other.verify(Some(&ticket), "contact-1", at(2_000)),
            Err(TicketError::Invalid)
        );
    }

    #[test]
    fn tampered_and_malformed_tickets_are_refused() {
        let ticket = key().issue("contact-1", at(1_000));
        let (head, signature) = ticket.rsplit_once('.').unwrap();
        // A later expiry with the old signature.
        let extended = format!("v1.{}.{signature}", 10_u64.pow(12));
        let mut flipped = signature.to_owned();
        flipped.replace_range(0..1, if signature.starts_with('A') { "B" } else { "A" });
        for bad in [
            extended,
            format!("{head}.{flipped}"),
            "v2.1.abc".to_owned(),
            "v1.soon.abc".to_owned(),
            "v1.99999999999.!!!".to_owned(),
            String::new(),
        ] {
            assert_eq!(
                key().verify(Some(&bad), "contact-1", at(2_000)),
                Err(TicketError::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            key().verify(None, "contact-1", at(2_000)),
            Err(TicketError::Missing)
        );
    }
}
