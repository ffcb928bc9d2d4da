//! (being written)

use super::Route;

pub(super) fn routes() -> Vec<Route> {
    vec![]
}
