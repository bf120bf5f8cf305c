//! A browser for the web app's pages, driven over HTTP: a cookie-holding
//! client that follows redirects, signs in through the real login form and
//! sends forms with their `_csrf` field.

use std::sync::Arc;

use hubbub_store::NewUser;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::StatusCode;

use crate::harness::{TestAccount, TestApp, ADMIN_PASSWORD};

/// A signed-in (or not yet) browser: cookies kept between requests,
/// redirects followed.
pub struct WebClient {
    pub base_url: String,
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    /// The session's CSRF token, read from the last page that had one
    /// (sign-in pages aside).
    pub csrf: String,
}

/// A page as the client saw it after redirects.
pub struct Page {
    pub status: StatusCode,
    /// The path the client ended up on, without the query.
    pub path: String,
    /// The query of the URL the client ended up on, if any.
    pub query: Option<String>,
    pub html: String,
}

impl Page {
    /// The path and query the client ended up on (`/settings/users?done=…`).
    pub fn location(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{}: {}",
            self.location(),
            self.html
        );
        self
    }

    pub fn contains(&self, text: &str) -> bool {
        self.html.contains(text)
    }

    /// The texts of the elements with `data-testid="{testid}"`, in page order
    /// (tags inside them dropped).
    pub fn texts(&self, testid: &str) -> Vec<String> {
        let marker = format!(r#"data-testid="{testid}""#);
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(at) = self.html[from..].find(&marker).map(|i| from + i) {
            let open = self.html[..at].rfind('<').expect("inside a tag");
            let tag: String = self.html[open + 1..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            let inside = at + self.html[at..].find('>').expect("the tag ends") + 1;
            let end = inside
                + self.html[inside..]
                    .find(&format!("</{tag}>"))
                    .expect("closed");
            found.push(strip_tags(&self.html[inside..end]));
            from = end;
        }
        found
    }

    /// The `href` of the first element with `marker` in its opening tag
    /// (e.g. a `data-testid`): where following that link goes.
    pub fn href(&self, marker: &str) -> String {
        let tag = tag_with(&self.html, marker)
            .unwrap_or_else(|| panic!("no {marker} on {}: {}", self.location(), self.html));
        let at = tag.find(r#"href=""#).expect("a link") + r#"href=""#.len();
        tag[at..at + tag[at..].find('"').unwrap()].to_owned()
    }

    /// The error a record form shows beside field `name`, if any,
    /// asserting it stands between that field and the next.
    pub fn field_error(&self, name: &str) -> Option<String> {
        let marker = format!("data-testid=\"error-{name}\">");
        let at = self.html.find(&marker)?;
        let field_at = self
            .html
            .find(&format!("id=\"f-{name}\""))
            .expect("the field is on the form");
        let next_field = self.html[at..]
            .find("id=\"f-")
            .map_or(self.html.len(), |i| at + i);
        assert!(field_at < at && at < next_field, "beside {name}");
        let text = &self.html[at + marker.len()..];
        Some(text[..text.find('<')?].to_owned())
    }

    /// The record id at the end of the page's path (`/contacts/12`).
    pub fn record_id(&self) -> i64 {
        self.path
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{} is not a record page", self.path))
    }
}

/// The value of the first hidden `_csrf` field in a page.
pub fn csrf_field(html: &str) -> Option<String> {
    let at = html.find(r#"name="_csrf" value=""#)? + r#"name="_csrf" value=""#.len();
    let end = html[at..].find('"')?;
    Some(html[at..at + end].to_owned())
}

/// The opening tag of the first element with `marker` in it (e.g. a
/// `data-testid`).
pub fn tag_with<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let at = html.find(marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    Some(&html[start..=end])
}

impl WebClient {
    pub fn new(app: &TestApp) -> WebClient {
        WebClient::at(&app.base_url)
    }

    /// A client for a hub at `base_url` that no `TestApp` started (the
    /// `hubbub` binary run as a process).
    pub fn at(base_url: &str) -> WebClient {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .build()
            .unwrap();
        WebClient {
            base_url: base_url.to_owned(),
            http,
            jar,
            csrf: String::new(),
        }
    }

    /// A new client signed in through the login form, asking to go to
    /// `next`; asserts the sign-in worked: the client lands, OK, on
    /// `lands_on` (path and query).
    pub async fn signed_in(
        app: &TestApp,
        email: &str,
        password: &str,
        next: &str,
        lands_on: &str,
    ) -> WebClient {
        let mut client = WebClient::new(app);
        let page = client.sign_in(email, password, next).await;
        assert_eq!(page.status, StatusCode::OK, "sign in: {}", page.html);
        assert_eq!(page.location(), lands_on, "signed in: {}", page.html);
        client
    }

    /// A new client signed in as the account's admin, on Settings.
    pub async fn admin(app: &TestApp, account: &TestAccount) -> WebClient {
        WebClient::signed_in(
            app,
            &account.admin_email,
            ADMIN_PASSWORD,
            "/settings",
            "/settings",
        )
        .await
    }

    /// A new client signed in as a new user of the account (password
    /// `ADMIN_PASSWORD`) whom the admin has made a view-only seat.
    pub async fn view_only(app: &TestApp, account: &TestAccount, email: &str) -> WebClient {
        let user = app
            .add_user(
                account.id,
                NewUser {
                    email: email.into(),
                    password: ADMIN_PASSWORD.into(),
                    ..NewUser::default()
                },
            )
            .await
            .unwrap();
        WebClient::admin(app, account)
            .await
            .post(
                &format!("/settings/users/{}/roles", user.id),
                &[("role", "view_only"), ("grant", "1")],
            )
            .await
            .assert_ok();
        WebClient::signed_in(app, email, ADMIN_PASSWORD, "/", "/").await
    }

    /// Fills the login form (fetched first, for its CSRF cookie and field)
    /// with `next` as the path to go to afterwards, and returns the page
    /// the client ends up on: `next` on success, the form again otherwise.
    pub async fn sign_in(&mut self, email: &str, password: &str, next: &str) -> Page {
        let form = self.get(&format!("/login?next={next}")).await;
        assert_eq!(form.status, StatusCode::OK, "login form: {}", form.html);
        let csrf = csrf_field(&form.html).expect("login form has _csrf");
        let page = self
            .post_raw(
                "/login",
                &[
                    ("_csrf", csrf.as_str()),
                    ("next", next),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        if let Some(csrf) = csrf_field(&page.html).filter(|_| !page.path.starts_with("/login")) {
            self.csrf = csrf;
        }
        page
    }

    async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let url = res.url().clone();
        Page {
            status,
            path: url.path().to_owned(),
            query: url.query().map(str::to_owned),
            html: res.text().await.unwrap(),
        }
    }

    /// Gets a page, keeping its CSRF token for `post`.
    pub async fn get(&mut self, path: &str) -> Page {
        let res = self
            .http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("request reaches the app");
        let page = Self::page(res).await;
        if let Some(csrf) = csrf_field(&page.html).filter(|_| !page.path.starts_with("/login")) {
            self.csrf = csrf;
        }
        page
    }

    /// Posts a form exactly as given (no `_csrf` added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .http
            .post(format!("{}{path}", self.base_url))
            .form(fields)
            .send()
            .await
            .expect("request reaches the app");
        Self::page(res).await
    }

    /// Posts a form with the session's current `_csrf` field.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts `fields` to `action` with the CSRF token taken from the page
    /// at `from` (fetched first), as a person filling that page's form.
    pub async fn submit(&mut self, from: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let form = self.get(from).await;
        let csrf = csrf_field(&form.html)
            .unwrap_or_else(|| panic!("{from} has a form with _csrf: {}", form.html));
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }

    /// The `Cookie` header the client would send to the hub.
    pub fn cookie_header(&self) -> String {
        let url = self.base_url.parse().unwrap();
        self.jar
            .cookies(&url)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// The unread count the bell shows, 0 when it shows none.
    pub fn unread_badge(page: &Page) -> i64 {
        let Some(at) = page.html.find(r#"data-testid="unread-count">"#) else {
            return 0;
        };
        let rest = &page.html[at + r#"data-testid="unread-count">"#.len()..];
        rest[..rest.find('<').unwrap()].trim().parse().unwrap()
    }
}

/// The text of an HTML fragment, tags taken out, spaces collapsed.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
