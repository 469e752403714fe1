use super::*;

const NOVA_LITE: &str = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0";

fn scope() -> Scope {
    Scope {
        region: "us-east-1".to_owned(),
        account_id: "111122223333".to_owned(),
    }
}

fn params(name: &str) -> CreateParams {
    CreateParams {
        name: name.to_owned(),
        description: None,
        copy_from: NOVA_LITE.to_owned(),
        tags: Vec::new(),
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

fn create_arn(store: &mut Store, name: &str) -> String {
    store
        .create(&scope(), params(name), None, 10)
        .map(|created| created.arn)
        .unwrap_or_default()
}

fn error_kind<T>(result: Result<T, ApiError>) -> Option<ErrorKind> {
    result.err().map(|error| error.kind)
}

#[test]
fn create_returns_arn_with_twelve_char_id() {
    let mut store = Store::default();

    let arn = create_arn(&mut store, "tenant-1");

    let id = arn
        .strip_prefix("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/")
        .unwrap_or_default();
    assert_eq!(id.len(), 12, "{arn}");
    assert!(
        id.bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit()),
        "{arn}"
    );
}

#[test]
fn create_rejects_duplicate_name() {
    let mut store = Store::default();
    let _ = store.create(&scope(), params("tenant-1"), None, 10);

    let result = store.create(&scope(), params("tenant-1"), None, 10);

    assert_eq!(error_kind(result), Some(ErrorKind::Conflict));
}

#[test]
fn same_name_in_other_region_is_allowed() {
    let mut store = Store::default();
    let west = Scope {
        region: "us-west-2".to_owned(),
        account_id: "111122223333".to_owned(),
    };
    let mut west_params = params("tenant-1");
    west_params.copy_from =
        "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0".to_owned();
    let _ = store.create(&scope(), params("tenant-1"), None, 10);

    let result = store.create(&west, west_params, None, 10);

    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn token_replay_returns_original_arn_after_delete() {
    let mut store = Store::default();
    let token = Some("onboard-tenant-1".to_owned());
    let first = store.create(&scope(), params("tenant-1"), token.clone(), 10);
    let first_arn = first.map(|created| created.arn).unwrap_or_default();
    let _ = store.delete(&scope(), &first_arn);

    let replay = store.create(&scope(), params("tenant-1"), token, 10);

    assert_eq!(
        replay,
        Ok(Created {
            arn: first_arn,
            replayed: true
        })
    );
    assert_eq!(store.profile_count("us-east-1"), 0);
}

#[test]
fn token_with_other_params_conflicts() {
    let mut store = Store::default();
    let token = Some("onboard-tenant-1".to_owned());
    let _ = store.create(&scope(), params("tenant-1"), token.clone(), 10);

    let result = store.create(&scope(), params("tenant-2"), token, 10);

    assert_eq!(error_kind(result), Some(ErrorKind::Conflict));
}

#[test]
fn create_stops_at_quota() {
    let mut store = Store::default();
    let _ = store.create(&scope(), params("tenant-1"), None, 1);

    let result = store.create(&scope(), params("tenant-2"), None, 1);

    assert_eq!(error_kind(result), Some(ErrorKind::ServiceQuotaExceeded));
}

#[test]
fn list_pages_survive_deletion() {
    let mut store = Store::default();
    let arns: Vec<String> = (1..=5)
        .map(|index| create_arn(&mut store, &format!("tenant-{index}")))
        .collect();
    let first = store.list(&scope(), ProfileType::Application, 2, None);
    let token = first.ok().and_then(|page| page.next_token);
    let _ = store.delete(&scope(), &arns[2]);

    let second = store.list(&scope(), ProfileType::Application, 2, token.as_deref());

    let names: Vec<String> = second
        .map(|page| {
            page.profiles
                .into_iter()
                .map(|view| view.inference_profile_name)
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, ["tenant-4", "tenant-5"]);
}

#[test]
fn last_page_has_no_token() {
    let mut store = Store::default();
    for index in 1..=2 {
        let _ = store.create(&scope(), params(&format!("tenant-{index}")), None, 10);
    }

    let page = store.list(&scope(), ProfileType::Application, 2, None);

    assert!(page.is_ok_and(|page| page.profiles.len() == 2 && page.next_token.is_none()));
}

#[test]
fn tag_overwrites_existing_key() {
    let mut store = Store::default();
    let arn = create_arn(&mut store, "tenant-1");
    let _ = store.tag(
        &scope(),
        &arn,
        vec![tag("tier", "basic"), tag("tenant", "1")],
    );

    let _ = store.tag(&scope(), &arn, vec![tag("tier", "premium")]);

    let tags = store.list_tags(&scope(), &arn);
    assert_eq!(tags, Ok(vec![tag("tier", "premium"), tag("tenant", "1")]));
}

#[test]
fn tag_counts_existing_tags() {
    let mut store = Store::default();
    let arn = create_arn(&mut store, "tenant-1");
    let first: Vec<Tag> = (0..50)
        .map(|index| tag(&format!("k{index}"), "v"))
        .collect();
    let _ = store.tag(&scope(), &arn, first);

    let overwrite = store.tag(&scope(), &arn, vec![tag("k0", "w")]);
    let extra = store.tag(&scope(), &arn, vec![tag("k50", "v")]);

    assert!(overwrite.is_ok());
    assert_eq!(error_kind(extra), Some(ErrorKind::TooManyTags));
}

#[test]
fn system_profile_cannot_be_deleted_or_tagged() {
    let mut store = Store::default();
    let arn = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-lite-v1:0";

    let delete = store.delete(&scope(), arn);
    let tag_result = store.tag(&scope(), arn, vec![tag("a", "b")]);
    let tags = store.list_tags(&scope(), arn);

    assert_eq!(error_kind(delete), Some(ErrorKind::Validation));
    assert_eq!(error_kind(tag_result), Some(ErrorKind::Validation));
    assert_eq!(tags, Ok(Vec::new()));
}

#[test]
fn arn_of_other_region_is_not_found() {
    let mut store = Store::default();
    let arn = create_arn(&mut store, "tenant-1");
    let west = Scope {
        region: "us-west-2".to_owned(),
        account_id: "111122223333".to_owned(),
    };

    let result = store.get(&west, &arn);

    assert_eq!(error_kind(result), Some(ErrorKind::ResourceNotFound));
}
