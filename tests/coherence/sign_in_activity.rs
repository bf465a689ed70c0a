//! Users' signInActivity is the newest matching record of a walk of the sign-in
//! log at the same clock, by posting list and by whole-log pass alike.

use super::*;
use entrasim::store::records::SignInKind;

#[test]
fn every_users_sign_in_activity_is_the_newest_matching_record_of_the_log() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    let walk: Vec<SignIn> = served(logs, world.now, |r: &SignIn| r.kind.is_user());
    let table = logs.all_last_sign_ins(world.now);
    let users = logs.plan.tenant.users.len();
    let mut seen = 0;
    for (u, from_table) in table.iter().enumerate().take(users) {
        let mine = walk.iter().filter(|r| r.subject as usize == u);
        let newest =
            |keep: &dyn Fn(&SignIn) -> bool| mine.clone().find(|r| keep(r)).map(|r| (r.at, r.key));
        let interactive = newest(&|r| r.kind == SignInKind::Interactive);
        let non_interactive = newest(&|r| r.kind == SignInKind::NonInteractive);
        let successful = newest(&|r| r.error == 0);
        assert_eq!(from_table.interactive, interactive, "user {u}");
        assert_eq!(from_table.non_interactive, non_interactive, "user {u}");
        assert_eq!(from_table.successful, successful, "user {u}");
        assert_eq!(
            logs.last_sign_ins(u as u32, world.now),
            *from_table,
            "user {u}"
        );
        seen += usize::from(interactive.is_some());
    }
    assert!(seen > users / 2, "most users signed in ({seen} of {users})");
}

#[test]
fn sign_in_activity_follows_the_clock_record_for_record() {
    let (world, _) = shared();
    let logs = &world.tenants[0];
    // Six hours earlier, the walk at that instant decides, not the later records.
    let earlier = world.now - 6 * 3600 * entrasim::store::records::TICKS_PER_SECOND;
    let walk: Vec<SignIn> = served(logs, earlier, |r: &SignIn| r.kind.is_user());
    let table = logs.all_last_sign_ins(earlier);
    for (u, last) in table.iter().enumerate() {
        let newest = walk
            .iter()
            .find(|r| r.subject as usize == u && r.kind == SignInKind::Interactive)
            .map(|r| (r.at, r.key));
        assert_eq!(last.interactive, newest, "user {u}");
    }
    assert_ne!(table, logs.all_last_sign_ins(world.now));
}
