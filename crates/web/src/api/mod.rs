//! The HubSpot-compatible REST API under `/crm/v3`, `/crm/v4` and
//! `/conversations/v3`.

mod associations;
mod batch;
mod conversations;
mod ctx;
mod input;
mod objects;
mod owners;
mod pipelines;
mod present;
mod properties;

use axum::http::Uri;
use axum::routing::{get, post, put};
use axum::Router;
use hubbub_hub::HubError;

use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/crm/v3/objects/{object_type}",
            get(objects::list).post(objects::create),
        )
        .route(
            "/crm/v3/objects/{object_type}/search",
            post(objects::search),
        )
        .route(
            "/crm/v3/objects/{object_type}/batch/read",
            post(batch::read),
        )
        .route(
            "/crm/v3/objects/{object_type}/batch/create",
            post(batch::create),
        )
        .route(
            "/crm/v3/objects/{object_type}/batch/update",
            post(batch::update),
        )
        .route(
            "/crm/v3/objects/{object_type}/batch/archive",
            post(batch::archive),
        )
        .route(
            "/crm/v3/objects/{object_type}/{id}",
            get(objects::read)
                .patch(objects::update)
                .delete(objects::archive),
        )
        .route("/crm/v3/owners", get(owners::list))
        .route("/crm/v3/owners/", get(owners::list))
        .route("/crm/v3/owners/{owner_id}", get(owners::read))
        .route("/crm/v3/pipelines/{object_type}", get(pipelines::list))
        .route(
            "/crm/v3/pipelines/{object_type}/{pipeline_id}",
            get(pipelines::read),
        )
        .route(
            "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages",
            get(pipelines::stages),
        )
        .route(
            "/crm/v3/properties/{object_type}",
            get(properties::list).post(properties::create),
        )
        .route(
            "/crm/v3/properties/{object_type}/{name}",
            get(properties::read),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}",
            put(associations::create_default),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}/{to_id}",
            put(associations::create).delete(associations::remove),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}",
            get(associations::list),
        )
        .route(
            "/conversations/v3/conversations/threads",
            get(conversations::list_threads),
        )
        .route(
            "/conversations/v3/conversations/threads/{thread_id}",
            get(conversations::read_thread).patch(conversations::update_thread),
        )
        .route(
            "/conversations/v3/conversations/threads/{thread_id}/messages",
            get(conversations::list_messages).post(conversations::send_message),
        )
        .route(
            "/conversations/v3/conversations/threads/{thread_id}/messages/{message_id}",
            get(conversations::read_message),
        )
        .route(
            "/crm/{*rest}",
            get(unknown)
                .post(unknown)
                .put(unknown)
                .patch(unknown)
                .delete(unknown),
        )
        .route(
            "/conversations/{*rest}",
            get(unknown)
                .post(unknown)
                .put(unknown)
                .patch(unknown)
                .delete(unknown),
        )
}

/// Keeps unknown API paths inside HubSpot's error shape.
async fn unknown(uri: Uri) -> ApiError {
    HubError::NotFound(format!("No API endpoint at {}", uri.path())).into()
}
