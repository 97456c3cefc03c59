//! Course rosters: reads a space's members from the platform's Names and Role
//! Provisioning Service on a teacher's request and periodically, and stores them so
//! members who never opened the space are listed with zero engagement.

use std::time::Duration;

use crate::app::AppState;
use crate::lti::nrps::{self, RosterMember};
use crate::store::roster::{RosterPerson, RosterSource};
use crate::store::StoreError;
use crate::unix_now;

/// Sources refreshed per housekeeping round, so one round stays short.
const SOURCES_PER_ROUND: i64 = 20;

/// The outcome of one refresh.
#[derive(Debug)]
pub enum RefreshError {
    /// No launch into the space carried a membership service.
    NoSource,
    /// The platform or its token service failed, for the reason in the text.
    Platform(String),
    Storage(StoreError),
}

impl From<StoreError> for RefreshError {
    fn from(error: StoreError) -> Self {
        RefreshError::Storage(error)
    }
}

/// Reads the roster of `space_id` from its platform and stores it; returns the number of
/// members the platform listed.
pub async fn refresh(state: &AppState, space_id: i64) -> Result<usize, RefreshError> {
    let source = state
        .store
        .roster_source(space_id)
        .await?
        .ok_or(RefreshError::NoSource)?;
    refresh_source(state, &source).await
}

async fn refresh_source(state: &AppState, source: &RosterSource) -> Result<usize, RefreshError> {
    let space_id = source.space_id;
    let fetched = match state.store.platform_by_id(source.platform_id).await? {
        Some(platform) => {
            nrps::fetch_roster(
                &state.http,
                state.service_tokens.as_ref(),
                &platform,
                &source.memberships_url,
            )
            .await
        }
        None => Err("the platform registration of this space was removed".to_string()),
    };
    let now = unix_now();
    match fetched {
        Ok(roster) => {
            let people: Vec<RosterPerson> = roster.members.iter().map(person).collect();
            state
                .store
                .store_roster(space_id, &people, roster.complete, now)
                .await?;
            state.store.record_roster_sync(space_id, now, None).await?;
            tracing::info!(
                space_id,
                members = people.len(),
                pages = roster.pages,
                "roster refreshed"
            );
            Ok(people.len())
        }
        Err(reason) => {
            tracing::warn!(space_id, %reason, "roster refresh failed");
            state
                .store
                .record_roster_sync(space_id, now, Some(&reason))
                .await?;
            Err(RefreshError::Platform(reason))
        }
    }
}

fn person(member: &RosterMember) -> RosterPerson {
    RosterPerson {
        subject: member.subject.clone(),
        name: member.name.clone(),
        given_name: member.given_name.clone(),
        family_name: member.family_name.clone(),
        roles: member.roles.join(" "),
        status: member.status.as_str().to_string(),
    }
}

/// Refreshes the rosters last read more than `max_age` ago; failures are logged and
/// recorded on their source.
pub async fn refresh_due(state: &AppState, max_age: Duration) {
    let before = unix_now() - max_age.as_secs() as i64;
    let due = match state
        .store
        .roster_sources_due(before, SOURCES_PER_ROUND)
        .await
    {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "listing rosters to refresh failed");
            return;
        }
    };
    for source in due {
        if let Err(RefreshError::Storage(error)) = refresh_source(state, &source).await {
            tracing::warn!(space_id = source.space_id, %error, "storing a refreshed roster failed");
        }
    }
}
