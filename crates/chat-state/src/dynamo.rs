//! The store in one DynamoDB table (on-demand, TTL on `expiresAt`). Items of a room
//! share the partition key `room#ID`; the sort key is `sanction#USER` for a ban or
//! timeout and `strikes#USER` for a strike window. Reads are strongly consistent, so
//! a sanction applies from the moment its write returns.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::sanction::{room_id, Sanction, SanctionStore, StateError};

const SANCTION: &str = "sanction#";
const STRIKES: &str = "strikes#";

type Item = HashMap<String, AttributeValue>;

/// Sanctions and strikes in the table `table`.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }
}

fn partition(room: &str) -> AttributeValue {
    AttributeValue::S(format!("room#{}", room_id(room)))
}

fn sort(prefix: &str, user_id: &str) -> AttributeValue {
    AttributeValue::S(format!("{prefix}{user_id}"))
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// An SDK failure as the store's error, with the service's code or the transport's
/// cause (the full chain: the top-level message alone says only "dispatch failure").
fn failed<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    e: SdkError<E, R>,
) -> StateError {
    match e.code() {
        Some(code) => {
            StateError::Unavailable(format!("{code}: {}", e.message().unwrap_or("no message")))
        }
        None => StateError::Unavailable(DisplayErrorContext(&e).to_string()),
    }
}

/// A conditional write's result: `None` when its condition did not hold.
fn unless_condition_failed<T, E, R>(
    result: Result<T, SdkError<E, R>>,
) -> Result<Option<T>, StateError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(None),
        Err(e) => Err(failed(e)),
    }
}

fn text<'a>(item: &'a Item, name: &str) -> Result<&'a str, StateError> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Ok(s),
        _ => Err(StateError::Corrupt(format!(
            "{name} is missing or not a string"
        ))),
    }
}

fn whole(item: &Item, name: &str) -> Result<Option<u64>, StateError> {
    match item.get(name) {
        None => Ok(None),
        Some(AttributeValue::N(n)) => n
            .parse()
            .map(Some)
            .map_err(|_| StateError::Corrupt(format!("{name} is not a whole number"))),
        Some(_) => Err(StateError::Corrupt(format!("{name} is not a number"))),
    }
}

fn to_item(s: &Sanction) -> Item {
    let mut item = Item::from([
        ("pk".to_owned(), partition(&s.room)),
        ("sk".to_owned(), sort(SANCTION, &s.user_id)),
        ("userId".to_owned(), AttributeValue::S(s.user_id.clone())),
        ("reason".to_owned(), AttributeValue::S(s.reason.clone())),
        ("by".to_owned(), AttributeValue::S(s.by.clone())),
        ("createdAt".to_owned(), number(s.created_at)),
    ]);
    if let Some(until) = s.until {
        item.insert("until".to_owned(), number(until));
        // DynamoDB deletes expired items within days; reads check `until` themselves.
        item.insert("expiresAt".to_owned(), number(until));
    }
    item
}

fn from_item(item: &Item) -> Result<Sanction, StateError> {
    let pk = text(item, "pk")?;
    Ok(Sanction {
        room: pk.strip_prefix("room#").unwrap_or(pk).to_owned(),
        user_id: text(item, "userId")?.to_owned(),
        reason: text(item, "reason")?.to_owned(),
        by: text(item, "by")?.to_owned(),
        created_at: whole(item, "createdAt")?.unwrap_or(0),
        until: whole(item, "until")?,
    })
}

impl SanctionStore for DynamoStore {
    async fn active(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
    ) -> Result<Option<Sanction>, StateError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", partition(room))
            .key("sk", sort(SANCTION, user_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(failed)?;
        match out.item {
            None => Ok(None),
            Some(item) => Ok(Some(from_item(&item)?).filter(|s| s.is_active(now))),
        }
    }

    async fn impose(&self, sanction: &Sanction) -> Result<(), StateError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(sanction)))
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn lift(&self, room: &str, user_id: &str, now: u64) -> Result<bool, StateError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", partition(room))
            .key("sk", sort(SANCTION, user_id))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(failed)?;
        match out.attributes {
            None => Ok(false),
            Some(item) => Ok(from_item(&item)?.is_active(now)),
        }
    }

    async fn list(&self, room: &str, now: u64) -> Result<Vec<Sanction>, StateError> {
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", partition(room))
            .expression_attribute_values(":prefix", AttributeValue::S(SANCTION.to_owned()))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut active = Vec::new();
        while let Some(item) = pages.next().await {
            let sanction = from_item(&item.map_err(failed)?)?;
            if sanction.is_active(now) {
                active.push(sanction);
            }
        }
        Ok(active)
    }

    async fn impose_unless_longer(&self, sanction: &Sanction) -> Result<bool, StateError> {
        let Some(until) = sanction.until else {
            self.impose(sanction).await?;
            return Ok(true);
        };
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(sanction)))
            .condition_expression(
                "attribute_not_exists(sk) OR (attribute_exists(#until) AND #until < :until)",
            )
            .expression_attribute_names("#until", "until")
            .expression_attribute_values(":until", number(until))
            .send()
            .await;
        Ok(unless_condition_failed(put)?.is_some())
    }

    async fn strike(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
        window_seconds: u64,
    ) -> Result<u32, StateError> {
        // One more in an open window; else open one. Two instances opening a window at
        // once: one wins, the other counts in it.
        for _ in 0..3 {
            if let Some(count) = self.count_in_window(room, user_id, now).await? {
                return Ok(count);
            }
            if self.open_window(room, user_id, now, window_seconds).await? {
                return Ok(1);
            }
        }
        Err(StateError::Unavailable(
            "the strike window kept changing under concurrent writes".into(),
        ))
    }
}

impl DynamoStore {
    /// Adds a strike to the sender's window if one is open: the new count, or `None`.
    async fn count_in_window(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
    ) -> Result<Option<u32>, StateError> {
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", partition(room))
            .key("sk", sort(STRIKES, user_id))
            .update_expression("ADD #count :one")
            .condition_expression("#ends > :now")
            .expression_attribute_names("#count", "strikes")
            .expression_attribute_names("#ends", "windowEnds")
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":now", number(now))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        let Some(out) = unless_condition_failed(counted)? else {
            return Ok(None);
        };
        let count = out
            .attributes
            .as_ref()
            .map(|item| whole(item, "strikes"))
            .transpose()?
            .flatten()
            .unwrap_or(1);
        Ok(Some(u32::try_from(count).unwrap_or(u32::MAX)))
    }

    /// Opens a window with this strike, unless another writer just opened one.
    async fn open_window(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
        window_seconds: u64,
    ) -> Result<bool, StateError> {
        let ends = now.saturating_add(window_seconds);
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", partition(room))
            .item("sk", sort(STRIKES, user_id))
            .item("strikes", number(1))
            .item("windowEnds", number(ends))
            .item("expiresAt", number(ends))
            .condition_expression("attribute_not_exists(sk) OR #ends <= :now")
            .expression_attribute_names("#ends", "windowEnds")
            .expression_attribute_values(":now", number(now))
            .send()
            .await;
        Ok(unless_condition_failed(put)?.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip_and_carry_a_ttl_only_for_timeouts() {
        let timeout = Sanction {
            room: "arn:aws:ivschat:us-east-1:123456789012:room/R1".into(),
            user_id: "user#1".into(),
            reason: "spam".into(),
            by: "mod".into(),
            created_at: 10,
            until: Some(70),
        };
        let item = to_item(&timeout);
        assert_eq!(item["pk"], AttributeValue::S("room#R1".into()));
        assert_eq!(item["sk"], AttributeValue::S("sanction#user#1".into()));
        assert_eq!(item["expiresAt"], AttributeValue::N("70".into()));
        let back = from_item(&item).unwrap();
        assert_eq!(back.room, "R1");
        assert_eq!((back.user_id.as_str(), back.until), ("user#1", Some(70)));

        let ban = Sanction {
            until: None,
            ..timeout
        };
        let item = to_item(&ban);
        assert!(!item.contains_key("expiresAt") && !item.contains_key("until"));
        assert_eq!(from_item(&item).unwrap().until, None);
    }

    #[test]
    fn unreadable_items_are_errors_not_panics() {
        let mut item = to_item(&Sanction {
            room: "R".into(),
            user_id: "u".into(),
            reason: "r".into(),
            by: "m".into(),
            created_at: 1,
            until: Some(2),
        });
        item.insert("until".into(), AttributeValue::S("soon".into()));
        assert!(matches!(from_item(&item), Err(StateError::Corrupt(_))));
        item.remove("userId");
        assert!(matches!(from_item(&item), Err(StateError::Corrupt(_))));
    }
}
