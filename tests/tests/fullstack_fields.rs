//! Field types beyond the basic ones, through a derived model on every backend: `Decimal`
//! (exact round trips, numeric filters and ordering, arithmetic, sums, digit checks),
//! `NaiveTime` and `NaiveDateTime`, `i16`, `f32` and `Vec<u8>`, each also as an `Option`. The table is made by
//! `makemigrations` and `migrate`, so the columns are the ORM's own DDL.

mod backends;

use backends::{TestDb, on_every_backend};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use fullstack::migrations::{self, Executor, MigrationSet, NonInteractive, Target};
use fullstack::query::prelude::*;
use fullstack::{Backend, Database, Decimal, Error, Model};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "shop", table = "shop_product")]
struct Product {
    id: i64,
    #[field(max_length = 50)]
    name: String,
    #[field(max_digits = 10, decimal_places = 2)]
    price: Decimal,
    #[field(max_digits = 5, decimal_places = 4)]
    discount: Option<Decimal>,
    opens_at: NaiveTime,
    closes_at: Option<NaiveTime>,
    stocked_at: NaiveDateTime,
    sold_at: Option<NaiveDateTime>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "shop", table = "shop_asset")]
struct Asset {
    id: i64,
    #[field(default = 1)]
    level: i16,
    ratio: f32,
    data: Vec<u8>,
    thumb: Option<Vec<u8>>,
    spare: Option<i16>,
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn time(h: u32, m: u32, s: u32, micro: u32) -> NaiveTime {
    NaiveTime::from_hms_micro_opt(h, m, s, micro).unwrap()
}

fn moment(y: i32, mo: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_micro_opt(h, 30, 15, 123_456)
        .unwrap()
}

fn product(name: &str, price: &str) -> Product {
    Product {
        id: 0,
        name: name.into(),
        price: dec(price),
        discount: None,
        opens_at: time(9, 0, 0, 0),
        closes_at: None,
        stocked_at: moment(2024, 1, 1, 8),
        sold_at: None,
    }
}

/// A database of the test's own (the model's table name is static): SQLite's file is fresh; a
/// new schema on PostgreSQL, a new database on MySQL. Returns it and the statement that drops it.
async fn own_database(t: &TestDb) -> (Database, Option<String>) {
    let name = t.table("fields");
    match t.db.backend() {
        Backend::Sqlite => (t.db.clone(), None),
        Backend::Postgres => {
            t.db.execute(&format!("CREATE SCHEMA \"{name}\""), vec![])
                .await
                .unwrap();
            let url = &t.url;
            let sep = if url.contains('?') { '&' } else { '?' };
            let db = Database::connect(&format!("{url}{sep}options[search_path]={name}"))
                .await
                .unwrap();
            (db, Some(format!("DROP SCHEMA \"{name}\" CASCADE")))
        }
        Backend::MySql => {
            t.db.execute(&format!("CREATE DATABASE `{name}`"), vec![])
                .await
                .unwrap();
            let base = &t.url[..t.url.rfind('/').unwrap()];
            let db = Database::connect(&format!("{base}/{name}")).await.unwrap();
            (db, Some(format!("DROP DATABASE `{name}`")))
        }
    }
}

async fn migrate(db: &Database) {
    let dir = tempfile::tempdir().unwrap();
    migrations::make_migrations(
        &[Product::META, Asset::META],
        dir.path(),
        &mut NonInteractive,
    )
    .unwrap();
    let set = MigrationSet::from_dir(dir.path()).unwrap();
    Executor::new(db, &set)
        .migrate(&Target::Latest)
        .await
        .unwrap();
}

fn names(products: &[Product]) -> Vec<&str> {
    products.iter().map(|p| p.name.as_str()).collect()
}

#[tokio::test]
async fn decimals_round_trip_exactly_and_compare_as_numbers() {
    on_every_backend("fields_decimal", |t| async move {
        let (db, drop) = own_database(&t).await;
        let db = &db;
        migrate(db).await;

        let mut saved = Vec::new();
        for (name, price) in [
            ("big", "12345678.90"),
            ("dime", "0.10"),
            ("nine", "9.99"),
            ("ten", "10.00"),
            ("refund", "-5.25"),
        ] {
            let mut p = product(name, price);
            p.save(db).await.unwrap();
            saved.push(p);
        }
        saved[1].discount = Some(dec("0.1250"));
        saved[1].save(db).await.unwrap();

        // Exact round trips, NULL included.
        for p in &saved {
            let back = Product::objects()
                .filter(Product::ID.eq(p.id))
                .get(db)
                .await
                .unwrap();
            assert_eq!(back, *p, "{}", t.name);
        }
        let big = Product::objects()
            .filter(Product::NAME.eq("big"))
            .get(db)
            .await
            .unwrap();
        assert_eq!(big.price, dec("12345678.90"));
        let dime = Product::objects()
            .filter(Product::NAME.eq("dime"))
            .get(db)
            .await
            .unwrap();
        assert_eq!(dime.price, dec("0.1"));
        assert_eq!(dime.discount, Some(dec("0.125")));
        if t.db.backend() == Backend::Sqlite {
            // Stored as numbers (a whole one as an INTEGER), so SQLite compares them as such.
            let rows =
                db.fetch_all(
                    "SELECT typeof(price) FROM shop_product WHERE name IN ('dime', 'ten') ORDER BY name",
                    vec![],
                )
                .await
                .unwrap();
            let kinds: Vec<String> = rows.iter().map(|r| r.get(0).unwrap()).collect();
            assert_eq!(kinds, ["real", "integer"]);
        } else {
            // NUMERIC keeps the column's scale; SQLite keeps the number only (equal all the same).
            assert_eq!(big.price.to_string(), "12345678.90");
            assert_eq!(dime.price.to_string(), "0.10");
        }

        // Ordered and filtered as numbers, not as text ("10.00" < "9.99").
        let by_price = Product::objects()
            .order_by([Product::PRICE.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(
            names(&by_price),
            ["refund", "dime", "nine", "ten", "big"],
            "{}",
            t.name
        );
        let dear = Product::objects()
            .filter(Product::PRICE.gt(dec("9.99")))
            .order_by([Product::PRICE.desc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&dear), ["big", "ten"], "{}", t.name);
        let cheap = Product::objects()
            .filter(Product::PRICE.between(dec("0"), dec("10")))
            .order_by([Product::PRICE.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&cheap), ["dime", "nine", "ten"], "{}", t.name);
        let picked = Product::objects()
            .filter(Product::PRICE.is_in([dec("0.1"), dec("10")]))
            .order_by([Product::PRICE.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&picked), ["dime", "ten"], "{}", t.name);
        let no_discount = Product::objects()
            .filter(Product::DISCOUNT.is_null())
            .count(db)
            .await
            .unwrap();
        assert_eq!(no_discount, 4);

        // Sums stay decimals; arithmetic in the database.
        let (sum, max) = Product::objects()
            .filter(Product::PRICE.lt(dec("100")))
            .aggregate(db, (Product::PRICE.sum(), Product::PRICE.max()))
            .await
            .unwrap();
        assert_eq!(sum, Some(dec("14.84")), "{}", t.name);
        assert_eq!(max, Some(dec("10")));
        Product::objects()
            .filter(Product::NAME.eq("nine"))
            .update(db, [Product::PRICE.set(Product::PRICE.f() * dec("2"))])
            .await
            .unwrap();
        let nine = Product::objects()
            .filter(Product::NAME.eq("nine"))
            .get(db)
            .await
            .unwrap();
        assert_eq!(nine.price, dec("19.98"), "{}", t.name);

        // Too many digits: refused before the database sees them, on every backend.
        let mut huge = product("huge", "123456789.00");
        let err = huge.save(db).await.unwrap_err();
        assert!(
            matches!(&err, Error::Invalid { model: "Product", field: "price", reason }
                if reason.contains("9 digits before the point")),
            "{err}"
        );
        let mut fine = product("fine", "1.001");
        let err = fine.save(db).await.unwrap_err();
        assert!(
            matches!(&err, Error::Invalid { reason, .. } if reason.contains("3 digits after the point")),
            "{err}"
        );
        saved[0].discount = Some(dec("12.5"));
        assert!(matches!(
            saved[0].save(db).await.unwrap_err(),
            Error::Invalid { .. }
        ));
        assert!(matches!(
            Product::objects()
                .bulk_create(db, vec![product("ok", "1"), product("bad", "0.005")])
                .await
                .unwrap_err(),
            Error::Invalid { .. }
        ));
        assert_eq!(Product::objects().count(db).await.unwrap(), 5);
        // update() checks a plain value too; nothing is written.
        let err = Product::objects()
            .update(db, [Product::PRICE.set(dec("0.125"))])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Invalid { model: "Product", field: "price", reason }
                if reason.contains("3 digits after the point")),
            "{err}"
        );
        assert_eq!(
            Product::objects()
                .filter(Product::PRICE.eq(dec("0.125")))
                .count(db)
                .await
                .unwrap(),
            0
        );
        let n = Product::objects()
            .filter(Product::NAME.eq("nine"))
            .update(db, [Product::PRICE.set(dec("20.5"))])
            .await
            .unwrap();
        assert_eq!(n, 1);

        db.close().await;
        if let Some(drop) = drop {
            t.db.execute(&drop, vec![]).await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn times_of_day_and_naive_moments_round_trip_filter_and_order() {
    on_every_backend("fields_time", |t| async move {
        let (db, drop) = own_database(&t).await;
        let db = &db;
        migrate(db).await;

        let rows = [
            (
                "early",
                time(7, 5, 0, 0),
                Some(time(12, 0, 0, 0)),
                moment(2023, 12, 31, 23),
            ),
            (
                "late",
                time(10, 30, 0, 250_000),
                None,
                moment(2024, 6, 1, 0),
            ),
            (
                "noon",
                time(12, 0, 59, 0),
                Some(time(23, 59, 59, 999_999)),
                moment(2024, 2, 29, 12),
            ),
        ];
        for (name, opens, closes, stocked) in rows {
            let mut p = product(name, "1");
            p.opens_at = opens;
            p.closes_at = closes;
            p.stocked_at = stocked;
            p.sold_at = (name == "late").then(|| moment(2024, 7, 1, 9));
            p.save(db).await.unwrap();
            let back = Product::objects()
                .filter(Product::ID.eq(p.id))
                .get(db)
                .await
                .unwrap();
            // Microseconds included.
            assert_eq!(back, p, "{}", t.name);
        }

        let open_by_ten = Product::objects()
            .filter(Product::OPENS_AT.lt(time(10, 30, 0, 0)))
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&open_by_ten), ["early"], "{}", t.name);
        let by_opening = Product::objects()
            .order_by([Product::OPENS_AT.desc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&by_opening), ["noon", "late", "early"]);
        let no_closing = Product::objects()
            .filter(Product::CLOSES_AT.is_null())
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&no_closing), ["late"]);

        let by_stock = Product::objects()
            .order_by([Product::STOCKED_AT.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&by_stock), ["early", "noon", "late"], "{}", t.name);
        let in_2024 = Product::objects()
            .filter(Product::STOCKED_AT.year().eq(2024))
            .filter(Product::STOCKED_AT.month().lte(2))
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&in_2024), ["noon"], "{}", t.name);
        let leap_day = Product::objects()
            .filter(Product::STOCKED_AT.day().eq(29))
            .count(db)
            .await
            .unwrap();
        assert_eq!(leap_day, 1);
        let stocked_since = Product::objects()
            .filter(Product::STOCKED_AT.gte(moment(2024, 2, 29, 12)))
            .count(db)
            .await
            .unwrap();
        assert_eq!(stocked_since, 2);
        let sold = Product::objects()
            .filter(Product::SOLD_AT.is_not_null())
            .get(db)
            .await
            .unwrap();
        assert_eq!(sold.sold_at, Some(moment(2024, 7, 1, 9)));
        let (first, last) = Product::objects()
            .aggregate(db, (Product::OPENS_AT.min(), Product::STOCKED_AT.max()))
            .await
            .unwrap();
        assert_eq!(first, Some(time(7, 5, 0, 0)));
        assert_eq!(last, Some(moment(2024, 6, 1, 0)));

        db.close().await;
        if let Some(drop) = drop {
            t.db.execute(&drop, vec![]).await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn small_integers_single_floats_and_bytes_round_trip() {
    on_every_backend("fields_small", |t| async move {
        let (db, drop) = own_database(&t).await;
        let db = &db;
        migrate(db).await;

        let all_bytes: Vec<u8> = (0..=255).collect();
        let mut assets = vec![
            Asset {
                id: 0,
                level: i16::MAX,
                ratio: 0.1,
                data: all_bytes.clone(),
                thumb: Some(vec![0, 0xff, 0]),
                spare: Some(i16::MIN),
            },
            Asset {
                id: 0,
                level: -3,
                ratio: -2.5,
                data: Vec::new(),
                thumb: None,
                spare: None,
            },
        ];
        for a in &mut assets {
            a.save(db).await.unwrap();
            let back = Asset::objects()
                .filter(Asset::ID.eq(a.id))
                .get(db)
                .await
                .unwrap();
            assert_eq!(back, *a, "{}", t.name);
        }
        let by_level = Asset::objects()
            .filter(Asset::LEVEL.gt(-10_i16))
            .order_by([Asset::LEVEL.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(by_level, [assets[1].clone(), assets[0].clone()]);
        let found = Asset::objects()
            .filter(Asset::DATA.eq(all_bytes))
            .count(db)
            .await
            .unwrap();
        assert_eq!(found, 1, "{}", t.name);
        assert_eq!(
            Asset::objects()
                .filter(Asset::THUMB.is_null())
                .count(db)
                .await
                .unwrap(),
            1
        );
        let (levels, ratios) = Asset::objects()
            .aggregate(db, (Asset::LEVEL.sum(), Asset::RATIO.sum()))
            .await
            .unwrap();
        assert_eq!(levels, Some(i64::from(i16::MAX) - 3));
        assert!(
            (ratios.unwrap() - (0.1_f32 - 2.5) as f64).abs() < 1e-6,
            "{ratios:?}"
        );
        Asset::objects()
            .filter(Asset::ID.eq(assets[1].id))
            .update(db, [Asset::LEVEL.set(Asset::LEVEL.f() * 2_i16)])
            .await
            .unwrap();
        assets[1].refresh(db).await.unwrap();
        assert_eq!(assets[1].level, -6);

        db.close().await;
        if let Some(drop) = drop {
            t.db.execute(&drop, vec![]).await.unwrap();
        }
    })
    .await;
}
