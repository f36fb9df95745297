//! What the tests share: a migrated project on a test database, users in the staff roles,
//! a small catalogue and an order, logging in, and reading a page's form as a browser sends it.

use std::future::Future;
use std::io::Write;

use fullstack::auth::{Group, Hashers, User};
use fullstack::query::prelude::*;
use fullstack::test::TestDatabase;
use fullstack::{Decimal, ForeignKey, Project};
use micro::{TestClient, TestResponse};
use shop::shop::{Cart, Category, Customer, Order, Product, place_order, setup_roles};

/// A form's fields as a browser sends them, in order.
pub(crate) type Fields = Vec<(String, String)>;

/// Every test user's password.
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// Runs `test` on SQLite, then on PostgreSQL and MariaDB when their variables are set;
/// says on stderr (which the harness does not hide) which were not.
pub(crate) async fn on_every_backend<F, Fut>(what: &str, test: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = ()>,
{
    test("sqlite::memory:".to_owned()).await;
    for (name, var) in [
        ("PostgreSQL", "TEST_POSTGRES_URL"),
        ("MariaDB", "TEST_MYSQL_URL"),
    ] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => test(url).await,
            _ => {
                let _ = writeln!(
                    std::io::stderr(),
                    "NOT TESTED: {what} on {name} (set {var})"
                );
            }
        }
    }
}

/// The project on a fresh test database, migrated, with the staff roles set up.
pub(crate) struct Site {
    pub(crate) db: TestDatabase,
    pub(crate) project: Project,
}

impl Site {
    pub(crate) async fn new(url: &str) -> Site {
        let project = shop::project().expect("the settings load");
        let db = TestDatabase::with_url(&project, url)
            .await
            .expect("a test database");
        setup_roles(&db).await.expect("the roles");
        Site { db, project }
    }

    pub(crate) fn client(&self) -> TestClient {
        self.db.client(&self.project).expect("the web app")
    }

    /// A user; `group` names a staff role to put them in.
    pub(crate) async fn user(
        &self,
        name: &str,
        staff: bool,
        superuser: bool,
        group: Option<&str>,
    ) -> User {
        let mut user = User::new(Hashers::default().hash(PASSWORD), name.to_owned());
        user.is_staff = staff;
        user.is_superuser = superuser;
        let user = User::objects().create(&*self.db, user).await.unwrap();
        if let Some(group) = group {
            let group = Group::objects()
                .filter(Group::NAME.eq(group))
                .get(&*self.db)
                .await
                .unwrap();
            User::GROUPS.add(&*self.db, &user, [&group]).await.unwrap();
        }
        user
    }

    /// A client logged in as `name`, through the login page.
    pub(crate) async fn logged_in(&self, name: &str) -> TestClient {
        let c = self.client();
        let token = c.csrf_token();
        let res = c
            .post("/accounts/login/")
            .form(&[
                ("csrfmiddlewaretoken", token.as_str()),
                ("username", name),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .await;
        assert_eq!(res.status(), 302, "{name} logs in: {}", res.text());
        c
    }

    /// A category `tea` with `assam` (6.50, 10 left) and `sencha` (8.90, 5 left), and an
    /// inactive `retired` (1.00, 9 left).
    pub(crate) async fn catalogue(&self) -> Catalogue {
        let tea = Category::objects()
            .create(
                &*self.db,
                Category {
                    id: 0,
                    name: "Tea".into(),
                    slug: "tea".into(),
                },
            )
            .await
            .unwrap();
        let product = |name: &str, slug: &str, cents: i64, stock: i32, active: bool| Product {
            id: 0,
            category: ForeignKey::from(&tea),
            name: name.into(),
            slug: slug.into(),
            description: format!("About {name}."),
            price: Decimal::new(cents, 2),
            stock,
            is_active: active,
        };
        let assam = Product::objects()
            .create(&*self.db, product("Assam", "assam", 650, 10, true))
            .await
            .unwrap();
        let sencha = Product::objects()
            .create(&*self.db, product("Sencha", "sencha", 890, 5, true))
            .await
            .unwrap();
        let retired = Product::objects()
            .create(&*self.db, product("Retired", "retired", 100, 9, false))
            .await
            .unwrap();
        Catalogue {
            tea,
            assam,
            sencha,
            retired,
        }
    }

    /// An order of 2 Assam and 1 Sencha for Ada, placed as checkout places it.
    pub(crate) async fn order(&self, catalogue: &Catalogue) -> Order {
        let mut cart = Cart::default();
        cart.add(catalogue.assam.id, 2).unwrap();
        cart.add(catalogue.sencha.id, 1).unwrap();
        let customer = Customer {
            name: "Ada".into(),
            email: "ada@example.com".into(),
            address: "1 Analytical Row".into(),
        };
        place_order(&self.db, &cart, customer)
            .await
            .unwrap()
            .expect("in stock")
    }

    pub(crate) async fn product(&self, id: i64) -> Product {
        Product::objects()
            .filter(Product::ID.eq(id))
            .get(&*self.db)
            .await
            .unwrap()
    }

    pub(crate) async fn finish(self) {
        self.db.finish().await.unwrap();
    }
}

/// The rows [`Site::catalogue`] made.
pub(crate) struct Catalogue {
    pub(crate) tea: Category,
    pub(crate) assam: Product,
    pub(crate) sencha: Product,
    pub(crate) retired: Product,
}

/// Posts `fields` with a valid CSRF token of `c`'s (as a page of the site would carry).
pub(crate) async fn post(c: &TestClient, to: &str, fields: &[(&str, &str)]) -> TestResponse {
    let token = c.csrf_token();
    let mut form = vec![("csrfmiddlewaretoken", token.as_str())];
    form.extend_from_slice(fields);
    c.post(to).form(&form).await
}

/// The text of escaped HTML (the entities minijinja writes).
pub(crate) fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The fields the first `<form method="post" ...id="{id}"` of `page` sends, as a browser
/// would send them (text and hidden inputs, checked boxes, selected options, textareas; no
/// buttons and nothing `disabled`), in page order.
pub(crate) fn form_fields(page: &str, id: &str) -> Fields {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no form {id} in {page}"));
    let start = page[..start].rfind("<form").unwrap();
    let end = start + page[start..].find("</form>").unwrap();
    let form = &page[start..end];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let tag_end = rest.find('>').unwrap();
        let tag = &rest[..=tag_end];
        // A browser sends no disabled control (the read-only rows carry theirs in hidden
        // inputs).
        let name = attr(tag, "name").filter(|_| !tag.contains(" disabled"));
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            let checked = tag.contains(" checked");
            match (name, kind.as_str()) {
                (Some(_), "submit" | "button") | (None, _) => {}
                (Some(name), "checkbox" | "radio") => {
                    if checked {
                        fields.push((name, attr(tag, "value").unwrap_or_else(|| "on".into())));
                    }
                }
                (Some(name), _) => fields.push((name, attr(tag, "value").unwrap_or_default())),
            }
        } else if tag.starts_with("<select")
            && let Some(name) = name
        {
            let body = &rest[..rest.find("</select>").unwrap()];
            let options: Vec<&str> = body.split("<option").skip(1).collect();
            let chosen = options
                .iter()
                .find(|o| o[..o.find('>').unwrap()].contains(" selected"))
                .or(options.first());
            if let Some(option) = chosen {
                let open = format!("<option{}", &option[..=option.find('>').unwrap()]);
                fields.push((name, attr(&open, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea")
            && let Some(name) = name
        {
            let body = &rest[tag_end + 1..rest.find("</textarea>").unwrap()];
            // A browser drops the newline right after the opening tag.
            let body = body.strip_prefix('\n').unwrap_or(body);
            fields.push((name, unescape(body)));
        }
        rest = &rest[1..];
    }
    fields
}

/// An attribute's value in one tag, unescaped.
fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let at = tag.find(&needle)? + needle.len();
    let end = tag[at..].find('"')? + at;
    Some(unescape(&tag[at..end]))
}

/// `fields` with `name` set to `value` (added when missing).
pub(crate) fn with(mut fields: Fields, name: &str, value: &str) -> Fields {
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(field) => field.1 = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
    fields
}

/// Posts a page's `fields` (their CSRF token included) to `to`.
pub(crate) async fn submit(c: &TestClient, to: &str, fields: &[(String, String)]) -> TestResponse {
    c.post(to).form(fields).await
}
