//! The `gateledger admin …` commands: first setup and account rescue from the platform
//! host, audited as actor `cli`.

use platform_domain::permissions::RoleKind;
use platform_domain::region::RegionScope;

use crate::auth::accounts::{self, AccountRequest};
use crate::storage::audit::Actor;
use crate::storage::users::{self, UserFilter};
use crate::storage::{Db, Page};

/// What the operator asked for.
#[derive(Debug, Clone)]
pub enum AdminRequest {
    /// A new platform admin.
    CreatePlatformAdmin {
        /// Sign-in name.
        username: String,
        /// Display name.
        display_name: String,
        /// E-mail.
        email: Option<String>,
    },
    /// A new bureau inspector.
    CreateBureauUser {
        /// Sign-in name.
        username: String,
        /// Display name.
        display_name: String,
        /// Region prefix.
        region: String,
        /// E-mail.
        email: Option<String>,
    },
    /// A new temporary password.
    ResetPassword {
        /// Sign-in name.
        username: String,
    },
    /// Every account.
    ListUsers,
}

fn explain(e: crate::error::AppError) -> anyhow::Error {
    match &e {
        crate::error::AppError::Invalid { field, en, .. } => {
            anyhow::anyhow!("{}: {en}", field.as_deref().unwrap_or("input"))
        }
        crate::error::AppError::Conflict { code: "username_taken", .. } => {
            anyhow::anyhow!("that sign-in name is already taken")
        }
        crate::error::AppError::Conflict { code, .. } => anyhow::anyhow!("{code}"),
        _ => anyhow::anyhow!("{e}"),
    }
}

/// Runs a command and returns what to print.
pub async fn run(db: &Db, req: AdminRequest) -> anyhow::Result<String> {
    let actor = Actor::cli();
    match req {
        AdminRequest::CreatePlatformAdmin { username, display_name, email } => {
            let mut tx = db.begin().await?;
            let account = accounts::create(
                &mut tx,
                &actor,
                AccountRequest {
                    username,
                    display_name,
                    email,
                    role: RoleKind::PlatformAdmin.as_str().to_owned(),
                    tenant_id: None,
                    group_id: None,
                    region_prefix: None,
                },
            )
            .await
            .map_err(explain)?;
            tx.commit().await?;
            Ok(format!(
                "platform admin {} created; temporary password: {}",
                account.user.username, account.temporary_password
            ))
        }
        AdminRequest::CreateBureauUser { username, display_name, region, email } => {
            let scope = RegionScope::parse(&region)
                .map_err(|e| anyhow::anyhow!("region: {}", e.message_en()))?;
            let mut tx = db.begin().await?;
            let account = accounts::create(
                &mut tx,
                &actor,
                AccountRequest {
                    username,
                    display_name,
                    email,
                    role: RoleKind::BureauInspector.as_str().to_owned(),
                    tenant_id: None,
                    group_id: None,
                    region_prefix: Some(scope.as_str().to_owned()),
                },
            )
            .await
            .map_err(explain)?;
            tx.commit().await?;
            Ok(format!(
                "bureau inspector {} created for region {}; temporary password: {}",
                account.user.username,
                scope.as_str(),
                account.temporary_password
            ))
        }
        AdminRequest::ResetPassword { username } => {
            let mut tx = db.begin().await?;
            let user = users::find_by_username(&mut tx, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account named {username}"))?;
            let password =
                accounts::reset_password(&mut tx, &actor, &user).await.map_err(explain)?;
            tx.commit().await?;
            Ok(format!("{}: temporary password {password}", user.username))
        }
        AdminRequest::ListUsers => {
            let mut db = db.clone();
            let rows = users::list(&mut db, &UserFilter::default(), Page { offset: 0, limit: 500 })
                .await?;
            let mut out = String::from("username\trole\tscope\tdisabled\n");
            for u in rows {
                let scope = u
                    .tenant_id
                    .map(|t| format!("tenant {t}"))
                    .or(u.group_id.map(|g| format!("group {g}")))
                    .or(u.region_prefix.map(|r| format!("region {r}")))
                    .unwrap_or_else(|| "platform".into());
                out.push_str(&format!("{}\t{}\t{}\t{}\n", u.username, u.role, scope, u.disabled));
            }
            Ok(out.trim_end().to_owned())
        }
    }
}
