//! `createsuperuser` and `changepassword`, Django's commands of those names, and `createtoken`
//! (DRF's `drf_create_token`).
//!
//! Both prompt on standard input (the password is echoed: this crate has no terminal
//! dependency). `createsuperuser --noinput --username NAME --email EMAIL` is for scripts: the
//! password comes from `SUPERUSER_PASSWORD` (not validated, as Django's
//! `DJANGO_SUPERUSER_PASSWORD`), and without it the user gets an unusable password.

use std::io::BufRead;

use clap::{Arg, ArgAction, Command};

use super::{ApiToken, AuthConfig, User, UserAttributes, hashers};
use crate::query::prelude::*;
use crate::{CommandContext, CommandError, CommandFuture, ManagementCommand};

/// The environment variable `createsuperuser --noinput` reads the password from.
pub(super) const PASSWORD_VAR: &str = "SUPERUSER_PASSWORD";

pub(super) struct CreateSuperuser(pub(super) AuthConfig);
pub(super) struct ChangePassword(pub(super) AuthConfig);
pub(super) struct CreateToken;

fn prompt(ctx: &mut CommandContext<'_>, question: &str) -> Result<String, CommandError> {
    write!(ctx.out, "{question}")?;
    ctx.out.flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Err("no input: standard input is closed (use --noinput)".into());
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn check_username(username: &str) -> Result<(), String> {
    if username.is_empty() {
        return Err("This field cannot be blank.".into());
    }
    if username.chars().count() > 150
        || !username
            .chars()
            .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
    {
        return Err("Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.".into());
    }
    Ok(())
}

async fn username_taken(
    ctx: &mut CommandContext<'_>,
    username: &str,
) -> Result<bool, CommandError> {
    let db = ctx.database().await?;
    match User::objects()
        .filter(User::USERNAME.eq(username))
        .exists(&db)
        .await
    {
        Err(e) if e.is_missing_table() => Err(NOT_MIGRATED.into()),
        found => Ok(found?),
    }
}

/// What a command of the auth app says on a database without its tables.
const NOT_MIGRATED: &str =
    "The auth app's tables are not in this database yet: run `migrate` first.";

impl ManagementCommand for CreateSuperuser {
    fn command(&self) -> Command {
        Command::new("createsuperuser")
            .about("Creates a superuser (staff, every permission)")
            .arg(Arg::new("username").long("username").help("The superuser's username"))
            .arg(Arg::new("email").long("email").help("The superuser's email address"))
            .arg(
                Arg::new("noinput")
                    .long("noinput")
                    .visible_alias("no-input")
                    .action(ArgAction::SetTrue)
                    .help("Asks nothing: --username is needed, the password comes from SUPERUSER_PASSWORD"),
            )
    }

    fn run<'a>(&'a self, ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
        Box::pin(async move {
            let config = &self.0;
            let noinput = ctx.matches.get_flag("noinput");
            let mut username = ctx.matches.get_one::<String>("username").cloned();
            let mut email = ctx.matches.get_one::<String>("email").cloned();
            let password;
            if noinput {
                let name = username
                    .clone()
                    .ok_or("You must use --username with --noinput.")?;
                check_username(&name).map_err(|e| format!("Error: {e}"))?;
                if username_taken(ctx, &name).await? {
                    return Err("Error: That username is already taken.".into());
                }
                password = std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty());
            } else {
                loop {
                    let name = match username.take() {
                        Some(name) => name,
                        None => prompt(ctx, "Username: ")?,
                    };
                    if let Err(e) = check_username(&name) {
                        writeln!(ctx.err, "Error: {e}")?;
                        continue;
                    }
                    if username_taken(ctx, &name).await? {
                        writeln!(ctx.err, "Error: That username is already taken.")?;
                        continue;
                    }
                    username = Some(name);
                    break;
                }
                if email.is_none() {
                    email = Some(prompt(ctx, "Email address: ")?);
                }
                loop {
                    let first = prompt(ctx, "Password: ")?;
                    let again = prompt(ctx, "Password (again): ")?;
                    if first != again {
                        writeln!(ctx.err, "Error: Your passwords didn't match.")?;
                        continue;
                    }
                    if first.is_empty() {
                        writeln!(ctx.err, "Error: Blank passwords aren't allowed.")?;
                        continue;
                    }
                    let name = username.clone().unwrap_or_default();
                    let mail = email.clone().unwrap_or_default();
                    let problems = config.validators.validate(
                        &first,
                        &UserAttributes {
                            username: &name,
                            email: &mail,
                            ..UserAttributes::default()
                        },
                    );
                    if !problems.is_empty() {
                        for p in &problems {
                            writeln!(ctx.err, "{p}")?;
                        }
                        let answer = prompt(
                            ctx,
                            "Bypass password validation and create user anyway? [y/N]: ",
                        )?;
                        if !answer.eq_ignore_ascii_case("y") {
                            continue;
                        }
                    }
                    break password = Some(first);
                }
            }
            let encoded = match &password {
                Some(p) => config.hashers.hash_async(p).await,
                None => hashers::unusable_password(),
            };
            let mut user = User::new(encoded, username.unwrap_or_default());
            user.email = email.unwrap_or_default();
            user.is_staff = true;
            user.is_superuser = true;
            let db = ctx.database().await?;
            User::objects().create(&db, user).await?;
            writeln!(ctx.out, "Superuser created successfully.")?;
            Ok(())
        })
    }
}

impl ManagementCommand for ChangePassword {
    fn command(&self) -> Command {
        Command::new("changepassword")
            .about("Changes a user's password (asked twice on standard input)")
            .arg(Arg::new("username").value_name("USERNAME").required(true))
    }

    fn run<'a>(&'a self, ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
        Box::pin(async move {
            let config = &self.0;
            let username = ctx
                .matches
                .get_one::<String>("username")
                .cloned()
                .unwrap_or_default();
            let db = ctx.database().await?;
            let mut user = User::objects()
                .filter(User::USERNAME.eq(username.clone()))
                .first(&db)
                .await?
                .ok_or_else(|| format!("user '{username}' does not exist"))?;
            writeln!(ctx.out, "Changing password for user '{username}'")?;
            for _ in 0..3 {
                let first = prompt(ctx, "Password: ")?;
                let again = prompt(ctx, "Password (again): ")?;
                if first != again {
                    writeln!(ctx.err, "Passwords do not match. Please try again.")?;
                    continue;
                }
                let problems = config
                    .validators
                    .validate(&first, &UserAttributes::of(&user));
                if !problems.is_empty() {
                    writeln!(ctx.err, "{}", problems.join("\n"))?;
                    continue;
                }
                super::set_password(&db, config, &mut user, &first).await?;
                writeln!(
                    ctx.out,
                    "Password changed successfully for user '{username}'"
                )?;
                return Ok(());
            }
            Err(format!("Aborting password change for user '{username}' after 3 attempts").into())
        })
    }
}

impl ManagementCommand for CreateToken {
    fn command(&self) -> Command {
        Command::new("createtoken")
            .about("Makes an API bearer token for a user and prints it (it cannot be read again)")
            .arg(Arg::new("username").value_name("USERNAME").required(true))
            .arg(
                Arg::new("name")
                    .long("name")
                    .default_value("")
                    .help("What the token is for, shown in the user's list"),
            )
            .arg(
                Arg::new("days")
                    .long("days")
                    .value_parser(clap::value_parser!(u32).range(1..=36500))
                    .help("Days until it stops working (never by default)"),
            )
    }

    fn run<'a>(&'a self, ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
        Box::pin(async move {
            let username = ctx
                .matches
                .get_one::<String>("username")
                .cloned()
                .unwrap_or_default();
            let name = ctx
                .matches
                .get_one::<String>("name")
                .cloned()
                .unwrap_or_default();
            let expires = ctx
                .matches
                .get_one::<u32>("days")
                .map(|d| chrono::Utc::now() + chrono::Duration::days(i64::from(*d)));
            let db = ctx.database().await?;
            let user = User::objects()
                .filter(User::USERNAME.eq(username.clone()))
                .first(&db)
                .await?
                .ok_or_else(|| format!("user '{username}' does not exist"))?;
            if !user.is_active {
                return Err(
                    format!("user '{username}' is inactive: a token would not work").into(),
                );
            }
            let (_, token) = ApiToken::create(&db, &user, &name, expires).await?;
            writeln!(ctx.out, "{token}")?;
            Ok(())
        })
    }
}
