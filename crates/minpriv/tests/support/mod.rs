//! What tests share: running a tool for its output, skipping loudly, and git repositories with
//! dated commits.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// Runs `command`: its standard output when it succeeds, else its standard error (trimmed).
pub fn stdout_of(command: &mut Command) -> Result<String, String> {
    let out = command.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Says loudly that `test` is skipped because of `problem`, or fails it when the environment
/// variable `require` is `1` (`.ci/run` sets it where the tool must work).
pub fn skip_unless_required(test: &str, problem: &str, require: &str) {
    if std::env::var(require).as_deref() == Ok("1") {
        panic!("{test}: {require}=1 but {problem}");
    }
    // Written to the process's stderr directly: the harness captures `eprintln!` of passing
    // tests, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!! SKIPPED {test}: {problem}. Set {require}=1 to make this a failure.\n"
    );
}

/// A git repository made for a test, with dated commits.
#[allow(dead_code)] // Each test binary builds this module; the engine tests make no repository.
pub struct GitRepo {
    /// Its work tree.
    pub dir: PathBuf,
}

#[allow(dead_code)]
impl GitRepo {
    /// `git init -b main` in `dir`, made when missing.
    pub fn init(dir: PathBuf) -> GitRepo {
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let repo = GitRepo { dir };
        repo.git(&["init", "-q", "-b", "main"], "2026-01-01");
        repo
    }

    /// Runs git in the work tree with author and committer `date`, and returns its output.
    pub fn git(&self, args: &[&str], date: &str) -> String {
        let output = std::process::Command::new("git")
            .current_dir(&self.dir)
            .args(args)
            .env("GIT_AUTHOR_DATE", format!("{date}T12:00:00Z"))
            .env("GIT_COMMITTER_DATE", format!("{date}T12:00:00Z"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &self.dir)
            .env_remove("GIT_DIR")
            .output()
            .unwrap_or_else(|e| panic!("git: {e}"));
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Writes `files` (an empty text removes the file), commits them as `author` on `date`,
    /// and returns the commit id.
    pub fn commit(
        &self,
        date: &str,
        author: &str,
        message: &str,
        files: &[(&str, &str)],
    ) -> String {
        for (path, text) in files {
            let path = self.dir.join(path);
            if text.is_empty() {
                let _ = std::fs::remove_file(&path);
            } else {
                std::fs::create_dir_all(path.parent().unwrap_or(&self.dir))
                    .unwrap_or_else(|e| panic!("{e}"));
                std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        self.git(&["add", "-A"], date);
        self.record(date, author, message)
    }

    /// Commits what is staged as `author` on `date`, and returns the commit id.
    pub fn record(&self, date: &str, author: &str, message: &str) -> String {
        let email = format!("--author={author} <{}@example.org>", author.to_lowercase());
        self.git(
            &[
                "-c",
                "user.name=CI",
                "-c",
                "user.email=ci@example.org",
                "commit",
                "-q",
                &email,
                "-m",
                message,
            ],
            date,
        );
        self.git(&["rev-parse", "HEAD"], date)
    }
}
