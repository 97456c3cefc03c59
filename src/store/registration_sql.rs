//! SQL of [`RegistrationStore`](super::registration::RegistrationStore), shared by both
//! backends in the same way as `shared.rs`.

macro_rules! impl_registration_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::registration::RegistrationStore for $store {
            async fn insert_invite(
                &self,
                token_hash: &str,
                now: i64,
                expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO registration_invites (token_hash, created_at, expires_at) \
                     VALUES ($1, $2, $3)",
                )
                .bind(token_hash)
                .bind(now)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn claim_invite(
                &self,
                token_hash: &str,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::registration::InviteClaim> {
                use $crate::store::registration::InviteClaim;
                // One conditional update, so two registrations cannot both claim it.
                let claimed = sqlx::query(
                    "UPDATE registration_invites SET used_at = $2 \
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if claimed.rows_affected() == 1 {
                    return Ok(InviteClaim::Claimed);
                }
                let row: Option<(Option<i64>,)> = sqlx::query_as(
                    "SELECT used_at FROM registration_invites WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                Ok(match row {
                    None => InviteClaim::Unknown,
                    Some((Some(_),)) => InviteClaim::AlreadyUsed,
                    Some((None,)) => InviteClaim::Expired,
                })
            }

            async fn release_invite(&self, token_hash: &str) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "UPDATE registration_invites SET used_at = NULL \
                     WHERE token_hash = $1 AND platform_id IS NULL",
                )
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn complete_invite(
                &self,
                token_hash: &str,
                platform_id: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "UPDATE registration_invites SET platform_id = $2 WHERE token_hash = $1",
                )
                .bind(token_hash)
                .bind(platform_id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_registration_store;
