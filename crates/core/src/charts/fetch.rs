//! Fetching remote charts once per (chart, version) per run, concurrently, into a
//! [`ChartCache`]: versions are resolved first (from the repositories' indexes that helm keeps,
//! or by the registry for OCI ranges), then each distinct archive missing from the cache is
//! pulled with `helm pull`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures_util::{StreamExt, TryStreamExt, stream};

use crate::charts::resolve::{Unresolved, is_exact};
use crate::charts::{ChartCache, ChartsError, RemoteChart, RepoIndex, resolve_version};
use crate::events::{Event, Events};
use crate::helm::Helm;

/// A chart on disk: the version the constraint picked and its archive in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The chart version.
    pub version: String,
    /// The packaged chart (`.tgz`), as helm can read it.
    pub archive: PathBuf,
}

/// Resolves and fetches remote charts for one run.
pub struct Fetcher<'a, H: Helm> {
    helm: &'a H,
    cache: ChartCache,
    events: &'a dyn Events,
    concurrency: usize,
    recorded_ranges: bool,
    repository_cache: tokio::sync::OnceCell<PathBuf>,
    indexes: Mutex<HashMap<String, Arc<RepoIndex>>>,
}

/// One chart wanted by a release: where it lives, the version or range, and whether
/// pre-releases count (`devel`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Wanted {
    /// The chart.
    pub chart: RemoteChart,
    /// The version or range (empty: the newest).
    pub constraint: String,
    /// Whether pre-release versions may be picked.
    pub devel: bool,
}

impl<'a, H: Helm> Fetcher<'a, H> {
    /// A fetcher that pulls with `helm`, up to `concurrency` at once, into `cache`.
    pub fn new(helm: &'a H, cache: ChartCache, concurrency: usize, events: &'a dyn Events) -> Self {
        Self {
            helm,
            cache,
            events,
            concurrency: concurrency.max(1),
            recorded_ranges: false,
            repository_cache: tokio::sync::OnceCell::new(),
            indexes: Mutex::new(HashMap::new()),
        }
    }

    /// With `--skip-deps`: an OCI version range picks what it picked in the last run that asked
    /// the registry, so nothing needs the network when the archive is cached.
    pub fn with_recorded_ranges(mut self, yes: bool) -> Self {
        self.recorded_ranges = yes;
        self
    }

    /// The cache, which keeps the fetched archives (a temporary cache lives as long as it).
    pub fn into_cache(self) -> ChartCache {
        self.cache
    }

    /// The version `wanted` picks now: an exact version as written, a range resolved against the
    /// repository's index (or, for OCI, by the registry).
    pub async fn resolve(&self, wanted: &Wanted) -> Result<String, ChartsError> {
        let constraint = wanted.constraint.trim();
        if is_exact(constraint) && matches!(wanted.chart, RemoteChart::Oci { .. }) {
            return Ok(constraint.to_string());
        }
        match &wanted.chart {
            RemoteChart::Repository { repo, url, chart } => {
                let index = self.index(repo).await?;
                let available = index
                    .versions(chart)
                    .ok_or_else(|| ChartsError::NoSuchChart {
                        chart: chart.clone(),
                        url: url.clone(),
                    })?;
                resolve_version(constraint, wanted.devel, available).map_err(|e| match e {
                    Unresolved::BadConstraint => ChartsError::BadConstraint {
                        chart: chart.clone(),
                        constraint: constraint.to_string(),
                    },
                    Unresolved::NoMatch => ChartsError::NoMatchingVersion {
                        chart: chart.clone(),
                        source_url: url.clone(),
                        constraint: constraint.to_string(),
                        available: available.to_vec(),
                    },
                })
            }
            RemoteChart::Oci { .. } => {
                let source = wanted.chart.source();
                if self.recorded_ranges
                    && let Some(version) = self.cache.resolution(&source, constraint)
                {
                    return Ok(version);
                }
                // Only the registry knows its tags: pulling with the range resolves it, and the
                // archive goes to the cache for the fetch that follows.
                let fetched = self.pull(&wanted.chart, constraint).await?;
                self.announce(&wanted.chart, &fetched.version);
                self.cache
                    .record_resolution(&source, constraint, &fetched.version)?;
                Ok(fetched.version)
            }
        }
    }

    /// Resolves every wanted chart, then fetches each distinct (chart, version) that the cache
    /// does not hold, concurrently; returns what each wanted chart became, in order.
    pub async fn fetch_all(&self, wanted: &[Wanted]) -> Result<Vec<Fetched>, ChartsError> {
        let mut versions: HashMap<&Wanted, String> = HashMap::new();
        for item in wanted {
            if !versions.contains_key(item) {
                let exact = item.constraint.trim();
                let version = if is_exact(exact)
                    && self.cache.lookup(&item.chart.source(), exact).is_some()
                {
                    exact.to_string()
                } else {
                    self.resolve(item).await?
                };
                versions.insert(item, version);
            }
        }
        let mut distinct: Vec<(&RemoteChart, &str)> = Vec::new();
        for item in wanted {
            let key = (&item.chart, versions[item].as_str());
            if !distinct
                .iter()
                .any(|(c, v)| c.source() == key.0.source() && *v == key.1)
            {
                distinct.push(key);
            }
        }
        let results: Vec<(&RemoteChart, String, PathBuf, bool)> = stream::iter(distinct)
            .map(|(chart, version)| async move {
                let (archive, pulled) = match self.cache.lookup(&chart.source(), version) {
                    Some(archive) => (archive, false),
                    None => (self.pull(chart, version).await?.archive, true),
                };
                Ok::<_, ChartsError>((chart, version.to_string(), archive, pulled))
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        let mut archives: HashMap<(String, String), PathBuf> = HashMap::new();
        for (chart, version, archive, pulled) in results {
            if pulled {
                self.announce(chart, &version);
            }
            archives.insert((chart.source(), version), archive);
        }
        Ok(wanted
            .iter()
            .map(|item| {
                let version = versions[item].clone();
                let archive = archives[&(item.chart.source(), version.clone())].clone();
                Fetched { version, archive }
            })
            .collect())
    }

    /// `helm pull CHART --version V` into a scratch folder of the cache, then stores the archive.
    async fn pull(&self, chart: &RemoteChart, version: &str) -> Result<Fetched, ChartsError> {
        let scratch = self.cache.scratch()?;
        let reference = chart.helm_reference();
        let mut args: Vec<String> = vec!["pull".into(), reference.clone()];
        if !version.is_empty() {
            args.extend(["--version".into(), version.into()]);
        }
        args.extend([
            "--destination".into(),
            scratch.path().to_string_lossy().into_owned(),
        ]);
        if let RemoteChart::Oci { flags, .. } = chart {
            args.extend(flags.iter().cloned());
        }
        self.helm
            .run(&args)
            .await
            .map_err(|source| ChartsError::Pull {
                chart: reference.clone(),
                version: version.to_string(),
                source,
            })?;
        let no_archive = || ChartsError::NoArchive {
            chart: reference.clone(),
            version: version.to_string(),
        };
        let file = archive_in(scratch.path()).ok_or_else(no_archive)?;
        let pulled_version = version_of(&file, chart.name())
            .filter(|_| !is_exact(version))
            .unwrap_or_else(|| version.to_string());
        let archive = self.cache.store(&chart.source(), &pulled_version, &file)?;
        Ok(Fetched {
            version: pulled_version,
            archive,
        })
    }

    /// Tells that a chart was downloaded (in a stable order, whatever finished first).
    fn announce(&self, chart: &RemoteChart, version: &str) {
        self.events.emit(Event::ChartFetched {
            chart: chart.helm_reference(),
            version: version.to_string(),
        });
    }

    /// Helm's copy of a repository's index, read once per run.
    async fn index(&self, repo: &str) -> Result<Arc<RepoIndex>, ChartsError> {
        if let Some(index) = self.indexes.lock().ok().and_then(|m| m.get(repo).cloned()) {
            return Ok(index);
        }
        let cache = self
            .repository_cache
            .get_or_try_init(|| async {
                let output = self.helm.run(&["env".to_string()]).await?;
                Ok::<_, ChartsError>(repository_cache(&output.stdout))
            })
            .await?;
        let index = Arc::new(RepoIndex::read(&cache.join(format!("{repo}-index.yaml")))?);
        if let Ok(mut indexes) = self.indexes.lock() {
            indexes.insert(repo.to_string(), index.clone());
        }
        Ok(index)
    }
}

/// `HELM_REPOSITORY_CACHE` from `helm env` output (`NAME="value"` lines).
fn repository_cache(env: &str) -> PathBuf {
    env.lines()
        .find_map(|line| line.strip_prefix("HELM_REPOSITORY_CACHE="))
        .map(|value| PathBuf::from(value.trim().trim_matches('"')))
        .unwrap_or_default()
}

/// The one chart archive `helm pull` left in `dir`.
fn archive_in(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "tgz"))
}

/// The version in an archive name helm wrote (`NAME-VERSION.tgz`).
fn version_of(archive: &Path, name: &str) -> Option<String> {
    let file = archive.file_stem()?.to_str()?;
    file.strip_prefix(name)?
        .strip_prefix('-')
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_helm_env_and_archive_names() {
        assert_eq!(
            repository_cache(
                "HELM_BIN=\"helm\"\nHELM_REPOSITORY_CACHE=\"/home/u/.cache/helm/repository\"\n"
            ),
            PathBuf::from("/home/u/.cache/helm/repository")
        );
        assert_eq!(
            version_of(Path::new("/x/web-app-0.1.3-rc.1.tgz"), "web-app").as_deref(),
            Some("0.1.3-rc.1")
        );
        assert_eq!(version_of(Path::new("/x/other-1.0.0.tgz"), "web"), None);
    }
}
