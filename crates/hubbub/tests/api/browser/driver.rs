//! Headless Chromium driven over WebDriver (chromedriver), for tests that
//! use the hub the way a person does. Needs Debian's `chromium` and
//! `chromium-driver`; set HUBBUB_CHROMEDRIVER / HUBBUB_CHROMIUM to use
//! other paths.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

pub struct Browser {
    pub client: Client,
    base_url: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tool(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_owned())
}

impl Browser {
    pub async fn start(base_url: &str) -> Browser {
        let chromedriver = tool("HUBBUB_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = tool("HUBBUB_CHROMIUM", "/usr/bin/chromium");
        assert!(
            std::path::Path::new(&chromedriver).exists() && std::path::Path::new(&chromium).exists(),
            "browser tests need Chromium and ChromeDriver: `apt-get install chromium chromium-driver` \
             (or set HUBBUB_CHROMIUM and HUBBUB_CHROMEDRIVER)"
        );
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let capabilities = serde_json::json!({"goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1366,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }});
        let driver_url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..50 {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.as_object().unwrap().clone())
                .connect(&driver_url)
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        base_url: base_url.to_owned(),
                        driver,
                        _profile: profile,
                    }
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("chromedriver did not start a browser: {last_error}");
    }

    /// Sizes the window so that pages get a viewport of exactly
    /// `width` × `height` CSS pixels (the window's frame takes some).
    pub async fn set_viewport(&self, width: u32, height: u32) {
        let inner = "return [window.innerWidth, window.innerHeight];";
        let (mut outer_w, mut outer_h) = (width, height);
        for _ in 0..3 {
            self.client.set_window_size(outer_w, outer_h).await.unwrap();
            let size = self.client.execute(inner, vec![]).await.unwrap();
            let (w, h) = (size[0].as_u64().unwrap(), size[1].as_u64().unwrap());
            if (w, h) == (u64::from(width), u64::from(height)) {
                return;
            }
            outer_w = (u64::from(outer_w) + u64::from(width) - w) as u32;
            outer_h = (u64::from(outer_h) + u64::from(height) - h) as u32;
        }
        panic!("could not give the page a {width}x{height} viewport");
    }

    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{}", self.base_url, path))
            .await
            .unwrap();
    }

    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(e) => panic!("no element {css} on {}: {e}", self.path().await),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Waits (up to 10 s) until the element's text contains `needle`, as
    /// after a form post the new page may still be on its way.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                text = element.text().await.unwrap_or_default();
                if text.contains(needle) {
                    return text;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{css} on {} never contained {needle:?}; last text: {text}",
            self.path().await
        );
    }

    /// Waits (up to 10 s) until the browser is on a page whose path and
    /// query contain `needle`: after a click the old page is still shown
    /// for a moment, and reading it would see stale content.
    pub async fn wait_for_path(&self, needle: &str) {
        let mut path = String::new();
        for _ in 0..100 {
            path = self.path().await;
            if path.contains(needle) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached a page matching {needle:?}; still on {path}");
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// The current path and query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn page_text(&self) -> String {
        self.text("body").await
    }

    pub async fn sign_in(&self, email: &str, password: &str) {
        self.sign_in_from("/login", email, password).await;
    }

    /// Signs in on the sign-in page at `link` (which may carry a `next`).
    pub async fn sign_in_from(&self, link: &str, email: &str, password: &str) {
        self.open(link).await;
        self.fill("input[name=email]", email).await;
        self.fill("input[name=password]", password).await;
        self.click("button[type=submit]").await;
        // Wait for the next page: the hub (signed in) or the form's error.
        self.find(".whoami, [role=alert]").await;
    }

    /// Saves a screenshot under target/screenshots (a test artifact, not
    /// kept in git).
    pub async fn screenshot(&self, name: &str) {
        let dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
            .join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A failed test never reaches close(): don't leave chromedriver behind.
        let _ = self.driver.kill();
    }
}
