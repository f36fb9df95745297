//! Transactions and savepoints that are dropped without `commit` roll back, as Django's `atomic`
//! does, on every backend; on PostgreSQL, where a failed statement aborts the whole transaction,
//! the outer transaction goes on after a failed savepoint is dropped.

mod backends;

use backends::{TestDb, on_every_backend};
use fullstack::{Error, Transaction, Value};

/// A table of numbers whose primary key makes a second insert of the same number fail.
struct Numbers {
    table: String,
    insert: String,
}

impl Numbers {
    async fn create(t: &TestDb, base: &str) -> Numbers {
        let q = |s: &str| t.db.backend().quote(s);
        let table = t.table(base);
        t.db.execute(
            &format!(
                "CREATE TABLE {} ({} INTEGER PRIMARY KEY)",
                q(&table),
                q("n")
            ),
            vec![],
        )
        .await
        .unwrap();
        let mut placeholder = String::new();
        t.db.backend().placeholder_into(&mut placeholder, 1);
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({placeholder})",
            q(&table),
            q("n")
        );
        Numbers { table, insert }
    }

    async fn insert(&self, tx: &mut Transaction<'_>, n: i32) -> Result<u64, Error> {
        tx.execute(&self.insert, vec![Value::Int(n)]).await
    }

    /// The numbers stored, in order, as another connection sees them.
    async fn committed(&self, t: &TestDb) -> Vec<i32> {
        let q = |s: &str| t.db.backend().quote(s);
        let rows =
            t.db.fetch_all(
                &format!(
                    "SELECT {} FROM {} ORDER BY {}",
                    q("n"),
                    q(&self.table),
                    q("n")
                ),
                vec![],
            )
            .await
            .unwrap();
        rows.iter().map(|r| r.get(0).unwrap()).collect()
    }

    async fn drop_table(&self, t: &TestDb) {
        let q = t.db.backend().quote(&self.table);
        t.db.execute(&format!("DROP TABLE {q}"), vec![])
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_savepoint_dropped_after_a_failed_statement_is_rolled_back_and_the_outer_transaction_goes_on()
 {
    on_every_backend("spfail", |t| async move {
        let numbers = Numbers::create(&t, "spfail").await;
        let mut tx = t.db.begin().await.unwrap();
        numbers.insert(&mut tx, 1).await.unwrap();
        {
            let mut sp = tx.savepoint().await.unwrap();
            numbers.insert(sp.tx(), 2).await.unwrap();
            let duplicate = numbers.insert(sp.tx(), 2).await;
            assert!(duplicate.is_err(), "{}: the duplicate was accepted", t.name);
            // Dropped here, neither committed nor rolled back.
        }
        numbers
            .insert(&mut tx, 3)
            .await
            .unwrap_or_else(|e| panic!("{}: the outer transaction is unusable: {e}", t.name));
        tx.commit().await.unwrap();
        assert_eq!(numbers.committed(&t).await, [1, 3], "{}", t.name);
        numbers.drop_table(&t).await;
    })
    .await;
}

/// Books two seats in a savepoint of its own: either both are kept or neither.
async fn book_pair(
    numbers: &Numbers,
    tx: &mut Transaction<'_>,
    a: i32,
    b: i32,
) -> Result<(), Error> {
    let mut sp = tx.savepoint().await?;
    numbers.insert(sp.tx(), a).await?;
    numbers.insert(sp.tx(), b).await?;
    sp.commit().await
}

#[tokio::test]
async fn an_early_return_with_question_mark_rolls_the_savepoint_back() {
    on_every_backend("spq", |t| async move {
        let numbers = Numbers::create(&t, "spq").await;
        let mut tx = t.db.begin().await.unwrap();
        numbers.insert(&mut tx, 1).await.unwrap();
        book_pair(&numbers, &mut tx, 10, 11).await.unwrap();
        // 12 goes in, 11 is taken: the `?` returns and the savepoint, dropped, takes 12 back.
        assert!(book_pair(&numbers, &mut tx, 12, 11).await.is_err());
        numbers.insert(&mut tx, 20).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(numbers.committed(&t).await, [1, 10, 11, 20], "{}", t.name);
        numbers.drop_table(&t).await;
    })
    .await;
}

#[tokio::test]
async fn nested_savepoints_roll_back_on_drop_at_every_depth() {
    on_every_backend("spnest", |t| async move {
        let numbers = Numbers::create(&t, "spnest").await;
        let mut tx = t.db.begin().await.unwrap();
        numbers.insert(&mut tx, 1).await.unwrap();
        {
            let mut one = tx.savepoint().await.unwrap();
            numbers.insert(one.tx(), 2).await.unwrap();
            {
                let mut two = one.tx().savepoint().await.unwrap();
                numbers.insert(two.tx(), 3).await.unwrap();
                {
                    let mut three = two.tx().savepoint().await.unwrap();
                    numbers.insert(three.tx(), 4).await.unwrap();
                    assert!(numbers.insert(three.tx(), 4).await.is_err());
                    // Dropped after a failure: 4 goes.
                }
                numbers.insert(two.tx(), 5).await.unwrap();
                two.commit().await.unwrap();
            }
            {
                let mut sibling = one.tx().savepoint().await.unwrap();
                numbers.insert(sibling.tx(), 6).await.unwrap();
                // Dropped without a failure: 6 goes too.
            }
            numbers.insert(one.tx(), 7).await.unwrap();
            one.commit().await.unwrap();
        }
        {
            // A whole tree dropped at its root: inner savepoints committed into it go with it.
            let mut root = tx.savepoint().await.unwrap();
            numbers.insert(root.tx(), 8).await.unwrap();
            let mut inner = root.tx().savepoint().await.unwrap();
            numbers.insert(inner.tx(), 9).await.unwrap();
            inner.commit().await.unwrap();
        }
        numbers.insert(&mut tx, 10).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            numbers.committed(&t).await,
            [1, 2, 3, 5, 7, 10],
            "{}",
            t.name
        );
        numbers.drop_table(&t).await;
    })
    .await;
}

#[tokio::test]
async fn a_transaction_dropped_on_a_held_connection_rolls_back_before_its_next_statement() {
    on_every_backend("txdrop", |t| async move {
        let numbers = Numbers::create(&t, "txdrop").await;
        let mut conn = t.db.acquire().await.unwrap();
        {
            let mut tx = conn.begin().await.unwrap();
            numbers.insert(&mut tx, 1).await.unwrap();
            let mut sp = tx.savepoint().await.unwrap();
            assert!(numbers.insert(sp.tx(), 1).await.is_err());
            // Both dropped, the savepoint after a failure, the transaction without a word.
        }
        // The connection goes on, outside any transaction: this insert is committed at once.
        conn.execute(&numbers.insert, vec![Value::Int(2)])
            .await
            .unwrap_or_else(|e| panic!("{}: the connection is unusable: {e}", t.name));
        assert_eq!(numbers.committed(&t).await, [2], "{}", t.name);
        let mut tx = conn.begin().await.unwrap();
        numbers.insert(&mut tx, 3).await.unwrap();
        tx.commit().await.unwrap();
        drop(conn);
        assert_eq!(numbers.committed(&t).await, [2, 3], "{}", t.name);
        numbers.drop_table(&t).await;
    })
    .await;
}
