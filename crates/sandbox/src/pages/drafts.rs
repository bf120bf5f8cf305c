//! What a person has under way in the modals the page shows, kept by the
//! page alone (never in the views the Web API and the payloads carry), as
//! Slack's client keeps it while a modal is open: the fields as last
//! posted (by Find or Submit), what each external select found, and the
//! page a modal was opened from, to go back to once it closes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

/// The drafts of the page's modals, by view id; one store per sandbox,
/// handed to the page's handlers as an extension.
#[derive(Clone, Default)]
pub(super) struct Drafts(Arc<Mutex<HashMap<String, Draft>>>);

#[derive(Debug, Clone, Default)]
pub(super) struct Draft {
    /// The names of the modal's input fields when it was last posted: a
    /// field named here shows what was posted (even nothing) instead of
    /// the app's initial value, as Slack keeps what a person entered
    /// across `views.update` when the block and action ids stay.
    pub(super) names: Vec<String>,
    /// The fields as last posted, in order.
    pub(super) fields: Vec<(String, String)>,
    /// By field name (`block_id/action_id`): what an external select found.
    pub(super) found: HashMap<String, Found>,
    /// The page the modal was opened from.
    pub(super) from: Option<String>,
}

/// Options (as the app gave them) under their group's label: `None` for
/// plain `options`.
pub(super) type Groups = Vec<(Option<String>, Vec<Value>)>;

/// The last search in an external select, and every option the app
/// offered in it.
#[derive(Debug, Clone, Default)]
pub(super) struct Found {
    /// What the person typed.
    pub(super) typed: String,
    /// The app's answer.
    pub(super) groups: Groups,
    /// Why there is nothing to choose from, said beside the field.
    pub(super) problem: Option<String>,
    /// Every option the app offered here, so that a choice made from an
    /// earlier search is still sent with its text.
    pub(super) known: Vec<Value>,
}

impl Draft {
    /// What was posted for the field `name` (nothing chosen is an empty
    /// list), or `None` when the field was not in the modal then.
    pub(super) fn values(&self, name: &str) -> Option<Vec<String>> {
        self.names.iter().any(|n| n == name).then(|| {
            self.fields
                .iter()
                .filter(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| v.clone())
                .collect()
        })
    }
}

impl Found {
    /// The option the app offered with `value`.
    pub(super) fn option(&self, value: &str) -> Option<&Value> {
        self.known
            .iter()
            .find(|o| o["value"].as_str() == Some(value))
    }

    /// A new search's outcome, remembering the options offered before.
    pub(super) fn searched(
        mut self,
        typed: &str,
        groups: Groups,
        problem: Option<String>,
    ) -> Found {
        for o in groups.iter().flat_map(|(_, options)| options) {
            self.known.retain(|k| k["value"] != o["value"]);
            self.known.push(o.clone());
        }
        Found {
            typed: typed.to_owned(),
            groups,
            problem,
            known: self.known,
        }
    }
}

impl Drafts {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Draft>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn get(&self, view_id: &str) -> Option<Draft> {
        self.lock().get(view_id).cloned()
    }

    /// Every draft, to render a page of modals from.
    pub(super) fn all(&self) -> HashMap<String, Draft> {
        self.lock().clone()
    }

    /// Changes the draft of `view_id` (a new one when it has none).
    pub(super) fn update(&self, view_id: &str, change: impl FnOnce(&mut Draft)) {
        change(self.lock().entry(view_id.to_owned()).or_default());
    }

    /// Forgets the drafts of modals no longer open (`open`: the ids of
    /// those that are).
    pub(super) fn keep_only(&self, open: &[String]) {
        self.lock().retain(|id, _| open.contains(id));
    }
}
