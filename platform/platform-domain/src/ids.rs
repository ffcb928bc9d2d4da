//! Typed identifiers. Every id is a UUIDv7 (time-ordered, so indexes stay compact) wrapped in
//! its own type. They serialise as the plain hyphenated UUID string.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new id from the current time and fresh randomness (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID, as read from storage or the wire.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// The 16 bytes of the UUID, big-endian as in RFC 9562.
            pub const fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    )+};
}

id_type! {
    /// An enterprise (企业): the unit of tenancy.
    TenantId;
    /// An enterprise group (集团) of several plants, each its own tenant.
    GroupId;
    /// A person's account: enterprise staff, bureau inspector or platform admin.
    UserId;
    /// A plant site of an enterprise.
    SiteId;
    /// A gate (出入口) with its agent.
    GateId;
    /// A lane of a gate, with its direction and barrier.
    LaneId;
    /// A registered vehicle or machine in one of the three registries.
    VehicleId;
    /// One crossing of a gate.
    PassageId;
    /// An enterprise admission rule (禁行规则).
    RuleId;
    /// An entry of a list: bureau blacklist, enterprise blacklist or permit.
    ListEntryId;
    /// A heavy-pollution alert a bureau issued for its region.
    AlertId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_round_trip_through_text_and_json() {
        let id = GateId::new();
        assert_eq!(id.as_uuid().get_version_num(), 7);
        assert_eq!(id.to_string().parse::<GateId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<GateId>(&json).unwrap(), id);
    }

    #[test]
    fn ids_made_later_sort_later() {
        let a = PassageId::new();
        let b = PassageId::new();
        assert!(a < b);
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!("not-a-uuid".parse::<TenantId>().is_err());
        assert!(serde_json::from_str::<TenantId>("\"1234\"").is_err());
    }

    #[test]
    fn ids_wrap_and_unwrap_the_same_uuid() {
        let uuid = Uuid::now_v7();
        let id = RuleId::from_uuid(uuid);
        assert_eq!(*id.as_uuid(), uuid);
        assert_eq!(id.as_bytes(), uuid.as_bytes());
        assert_eq!(Uuid::from(id), uuid);
        assert_eq!(AlertId::from(uuid).to_string(), uuid.to_string());
        assert_eq!(format!("{id:?}"), format!("RuleId({uuid})"));
        assert_ne!(ListEntryId::default(), ListEntryId::default());
    }
}
