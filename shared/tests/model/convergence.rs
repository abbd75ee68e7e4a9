//! Replicas that edit offline and exchange changes in any order, any number of times, end up
//! with the same documents, with every record kept once and every concurrent write visible.
//!
//! The property test drives three to five replicas through random edits and random deliveries:
//! changes sent one by one in shuffled order, partial batches whose dependencies are still
//! missing, duplicates, and whole saved documents loaded incrementally. The oracle for register
//! conflicts is causal history, computed independently of Automerge's conflict logic: a write
//! survives exactly when no later write was made by a replica that had already received it.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{ActorId, AutoCommit, Change, ChangeHash};
use peihu_shared::doc::{self, NewEpisode};
use peihu_shared::ids::{AgencyId, BeneficiaryId, DocId, EpisodeId, RecordId, VisitId};
use peihu_shared::model::{
    ColourAssessment, DailyKind, DailyRecord, Handover, HandoverKind, Notice, NoticeKind,
    Provenance, RiskColour, Visit, VisitAmendment, Vitals,
};
use proptest::prelude::*;

use crate::support::{beneficiary, id_bytes, prov, visit};

const START: i64 = 1_800_000_000_000;

/// A register several people may edit, in one of the three document kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    CardPhone,
    CaseAddress,
    EpisodeWard,
}

impl Field {
    fn path(self) -> &'static [&'static str] {
        match self {
            Field::CardPhone => &["contact_phone"],
            Field::CaseAddress => &["profile", "address"],
            Field::EpisodeWard => &["ward"],
        }
    }

    fn conflict_path(self) -> String {
        self.path().join(".")
    }
}

/// One step of a run. Indices pick among what exists at the time, modulo its length.
#[derive(Debug, Clone)]
enum Op {
    Register { at: usize },
    AddVisit { at: usize, who: usize },
    Amend { at: usize, visit: usize },
    Colour { at: usize, who: usize, colour: RiskColour },
    EpisodeRecord { at: usize, kind: u8 },
    SetRegister { at: Vec<usize>, who: usize, field: Field },
    Send { from: usize, to: usize, doc: usize, delivery: Delivery },
    SendSaved { from: usize, to: usize, doc: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let replica = 0usize..5;
    let field =
        prop_oneof![Just(Field::CardPhone), Just(Field::CaseAddress), Just(Field::EpisodeWard)];
    let colour =
        prop_oneof![Just(RiskColour::Red), Just(RiskColour::Yellow), Just(RiskColour::Blue)];
    prop_oneof![
        1 => replica.clone().prop_map(|at| Op::Register { at }),
        4 => (replica.clone(), any::<usize>()).prop_map(|(at, who)| Op::AddVisit { at, who }),
        3 => (replica.clone(), any::<usize>()).prop_map(|(at, visit)| Op::Amend { at, visit }),
        2 => (replica.clone(), any::<usize>(), colour)
            .prop_map(|(at, who, colour)| Op::Colour { at, who, colour }),
        2 => (replica.clone(), 0u8..9).prop_map(|(at, kind)| Op::EpisodeRecord { at, kind }),
        3 => (prop::collection::vec(replica.clone(), 1..4), any::<usize>(), field)
            .prop_map(|(at, who, field)| Op::SetRegister { at, who, field }),
        6 => (replica.clone(), replica.clone(), any::<usize>(), delivery())
            .prop_map(|(from, to, doc, delivery)| Op::Send { from, to, doc, delivery }),
        1 => (replica.clone(), replica, any::<usize>())
            .prop_map(|(from, to, doc)| Op::SendSaved { from, to, doc }),
    ]
}

fn delivery() -> impl Strategy<Value = Delivery> {
    (any::<u64>(), any::<u64>(), any::<bool>(), any::<bool>())
        .prop_map(|(seed, keep, dup, batch)| Delivery { seed, keep, dup, batch })
}

/// One register write, with what its writer had already received of the same register.
#[derive(Debug)]
struct Write {
    doc: DocId,
    field: Field,
    value: String,
    prov: Provenance,
    hash: ChangeHash,
    overwrites: BTreeSet<usize>,
}

/// Everything the replicas acknowledged, to check the merged documents against.
#[derive(Debug, Default)]
struct Acknowledged {
    beneficiaries: Vec<BeneficiaryId>,
    visits: Vec<(BeneficiaryId, Visit)>,
    amendments: Vec<(BeneficiaryId, VisitId, RecordId, VisitAmendment)>,
    colours: Vec<(BeneficiaryId, RecordId, ColourAssessment)>,
    episode_records: Vec<(&'static str, RecordId)>,
    writes: Vec<Write>,
}

#[derive(Debug)]
struct World {
    replicas: Vec<BTreeMap<DocId, AutoCommit>>,
    episode: EpisodeId,
    ack: Acknowledged,
    clock: u64,
}

fn actor(replica: usize) -> ActorId {
    ActorId::from([replica as u8 + 1; 16])
}

impl World {
    fn new(replicas: usize) -> World {
        let first = BeneficiaryId::from_bytes(id_bytes(1, 0));
        let episode = EpisodeId::from_bytes(id_bytes(2, 0));
        let creator = prov(1, START);
        let (mut card, mut case) =
            doc::new_beneficiary(&beneficiary(first), &creator).expect("create beneficiary");
        let new_episode = NewEpisode {
            id: episode,
            beneficiary: first,
            place: "370602001201".parse().expect("a village code"),
            agency: AgencyId::from_bytes(id_bytes(3, 0)),
            escort: None,
            hospital: "烟台某医院".into(),
            ward: "心内科".into(),
            bed: "12".into(),
            expected_admission: START,
        };
        let mut ep = doc::new_episode(&new_episode, &creator).expect("create episode");
        let mut all = Vec::new();
        for r in 0..replicas {
            let mut docs = BTreeMap::new();
            docs.insert(DocId::Card(first), card.fork().with_actor(actor(r)));
            docs.insert(DocId::Case(first), case.fork().with_actor(actor(r)));
            docs.insert(DocId::Episode(episode), ep.fork().with_actor(actor(r)));
            all.push(docs);
        }
        let ack = Acknowledged { beneficiaries: vec![first], ..Acknowledged::default() };
        World { replicas: all, episode, ack, clock: 0 }
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn prov_at(&mut self, replica: usize) -> Provenance {
        let n = self.tick();
        prov(replica as u8 + 1, START + n as i64 * 60_000)
    }

    /// The replica's copy of a document, if its creation has reached it.
    fn readable(&mut self, replica: usize, id: DocId) -> Option<&mut AutoCommit> {
        let doc = self.replicas[replica].get_mut(&id)?;
        doc::header(doc).is_ok().then_some(doc)
    }

    fn apply(&mut self, op: &Op) {
        let n = self.replicas.len();
        match op {
            Op::Register { at } => self.register(at % n),
            Op::AddVisit { at, who } => self.add_visit(at % n, *who),
            Op::Amend { at, visit } => self.amend(at % n, *visit),
            Op::Colour { at, who, colour } => self.colour(at % n, *who, *colour),
            Op::EpisodeRecord { at, kind } => self.episode_record(at % n, *kind),
            Op::SetRegister { at, who, field } => {
                let replicas: BTreeSet<usize> = at.iter().map(|r| r % n).collect();
                for r in replicas {
                    self.set_register(r, *who, *field);
                }
            }
            Op::Send { from, to, doc, delivery } => self.send(from % n, to % n, *doc, delivery),
            Op::SendSaved { from, to, doc } => self.send_saved(from % n, to % n, *doc),
        }
    }

    fn register(&mut self, at: usize) {
        let n = self.tick();
        let id = BeneficiaryId::from_bytes(id_bytes(1, n));
        let by = self.prov_at(at);
        let (card, case) = doc::new_beneficiary(&beneficiary(id), &by).expect("register");
        self.replicas[at].insert(DocId::Card(id), card.with_actor(actor(at)));
        self.replicas[at].insert(DocId::Case(id), case.with_actor(actor(at)));
        self.ack.beneficiaries.push(id);
    }

    fn pick_beneficiary(&self, who: usize) -> BeneficiaryId {
        self.ack.beneficiaries[who % self.ack.beneficiaries.len()]
    }

    fn add_visit(&mut self, at: usize, who: usize) {
        let b = self.pick_beneficiary(who);
        let n = self.tick();
        let v = visit(VisitId::from_bytes(id_bytes(4, n)), self.prov_at(at), 120 + (n % 60) as u16);
        let Some(case) = self.readable(at, DocId::Case(b)) else {
            return;
        };
        doc::add_visit(case, &v).expect("add a visit");
        self.ack.visits.push((b, v));
    }

    fn amend(&mut self, at: usize, pick: usize) {
        if self.ack.visits.is_empty() {
            return;
        }
        let (b, v) = &self.ack.visits[pick % self.ack.visits.len()];
        let (b, visit_id) = (*b, v.id);
        let n = self.tick();
        let amendment = VisitAmendment {
            photo_facts: None,
            prov: self.prov_at(at),
            reason: format!("更正 {n}"),
            vitals: Some(Vitals { pulse: Some(60 + (n % 40) as u16), ..Vitals::default() }),
            notes: Some(format!("更正后的记录 {n}")),
            add_photos: None,
        };
        let id = RecordId::from_bytes(id_bytes(5, n));
        let Some(case) = self.readable(at, DocId::Case(b)) else {
            return;
        };
        let has_visit =
            doc::hydrate_case(case).expect("case").visits.contains_key(&visit_id.to_string());
        if !has_visit {
            return;
        }
        doc::amend_visit(case, visit_id, id, &amendment).expect("amend a visit");
        self.ack.amendments.push((b, visit_id, id, amendment));
    }

    fn colour(&mut self, at: usize, who: usize, colour: RiskColour) {
        let b = self.pick_beneficiary(who);
        let n = self.tick();
        let assessment =
            ColourAssessment { colour, reason: format!("复评 {n}"), prov: self.prov_at(at) };
        let id = RecordId::from_bytes(id_bytes(6, n));
        let Some(case) = self.readable(at, DocId::Case(b)) else {
            return;
        };
        doc::set_colour(case, id, &assessment).expect("set a colour");
        self.ack.colours.push((b, id, assessment));
    }

    fn episode_record(&mut self, at: usize, kind: u8) {
        let n = self.tick();
        let by = self.prov_at(at);
        let id = RecordId::from_bytes(id_bytes(7, n));
        let episode = DocId::Episode(self.episode);
        let Some(ep) = self.readable(at, episode) else {
            return;
        };
        let map = match kind % 3 {
            0 => {
                let which = [NoticeKind::Coverage, NoticeKind::Standard, NoticeKind::Complaints]
                    [usize::from(kind / 3)];
                doc::add_record(ep, "notices", id, &Notice { which, prov: by.clone() }, &by)
                    .map(|()| "notices")
            }
            1 => {
                let which = [DailyKind::Services, DailyKind::Orders, DailyKind::Special]
                    [usize::from(kind / 3)];
                let record = DailyRecord {
                    day: "2027-01-15".into(),
                    which,
                    text: format!("记录 {n}"),
                    prov: by.clone(),
                };
                doc::add_record(ep, "daily", id, &record, &by).map(|()| "daily")
            }
            _ => {
                let which = [
                    HandoverKind::CarePoints,
                    HandoverKind::Medication,
                    HandoverKind::Rehabilitation,
                ][usize::from(kind / 3)];
                let record = Handover {
                    which,
                    text: format!("交接 {n}"),
                    to: "家属".into(),
                    prov: by.clone(),
                };
                doc::add_record(ep, "handovers", id, &record, &by).map(|()| "handovers")
            }
        };
        self.ack.episode_records.push((map.expect("add an episode record"), id));
    }

    fn set_register(&mut self, at: usize, who: usize, field: Field) {
        let id = match field {
            Field::CardPhone => DocId::Card(self.pick_beneficiary(who)),
            Field::CaseAddress => DocId::Case(self.pick_beneficiary(who)),
            Field::EpisodeWard => DocId::Episode(self.episode),
        };
        let n = self.tick();
        let by = self.prov_at(at);
        let value = match field {
            Field::CardPhone => format!("139{n:08}"),
            Field::CaseAddress => format!("测试村{n}号"),
            Field::EpisodeWard => format!("{n}病区"),
        };
        let earlier: Vec<(usize, ChangeHash)> = self
            .ack
            .writes
            .iter()
            .enumerate()
            .filter(|(_, w)| w.doc == id && w.field == field)
            .map(|(i, w)| (i, w.hash))
            .collect();
        let Some(doc) = self.readable(at, id) else {
            return;
        };
        let overwrites = earlier
            .into_iter()
            .filter(|(_, h)| doc.get_change_by_hash(h).is_some())
            .map(|(i, _)| i);
        let overwrites = overwrites.collect();
        doc::set_register(doc, field.path(), value.clone(), &by).expect("set a register");
        let heads = doc.get_heads();
        assert_eq!(heads.len(), 1, "a local commit is the document's only head");
        self.ack.writes.push(Write { doc: id, field, value, prov: by, hash: heads[0], overwrites });
    }

    fn send(&mut self, from: usize, to: usize, pick: usize, delivery: &Delivery) {
        if from == to {
            return;
        }
        let ids: Vec<DocId> = self.replicas[from].keys().copied().collect();
        let id = ids[pick % ids.len()];
        let changes =
            self.replicas[from].get_mut(&id).expect("picked from its keys").get_changes(&[]);
        let receiver =
            self.replicas[to].entry(id).or_insert_with(|| AutoCommit::new().with_actor(actor(to)));
        let missing: Vec<Change> = changes
            .into_iter()
            .filter(|c| receiver.get_change_by_hash(&c.hash()).is_none())
            .collect();
        let shuffled = delivery.arrange(missing);
        if delivery.batch {
            receiver.apply_changes(shuffled).expect("apply a batch of changes");
        } else {
            for change in shuffled {
                receiver.apply_changes([change]).expect("apply one change");
            }
        }
    }

    fn send_saved(&mut self, from: usize, to: usize, pick: usize) {
        if from == to {
            return;
        }
        let ids: Vec<DocId> = self.replicas[from].keys().copied().collect();
        let id = ids[pick % ids.len()];
        let bytes = self.replicas[from].get_mut(&id).expect("picked from its keys").save();
        let receiver =
            self.replicas[to].entry(id).or_insert_with(|| AutoCommit::new().with_actor(actor(to)));
        receiver.load_incremental(&bytes).expect("load a saved document");
    }

    /// Sends every change everywhere until nothing is left to send.
    fn exchange_fully(&mut self) {
        let everything = Delivery { seed: 7, keep: u64::MAX, dup: false, batch: true };
        let n = self.replicas.len();
        for _round in 0..2 {
            for from in 0..n {
                for to in 0..n {
                    for pick in 0..self.replicas[from].len() {
                        self.send(from, to, pick, &everything);
                    }
                }
            }
        }
    }
}

/// How one delivery is mangled on the way: reordered, thinned, duplicated, batched or not.
#[derive(Debug, Clone)]
struct Delivery {
    seed: u64,
    keep: u64,
    dup: bool,
    batch: bool,
}

impl Delivery {
    fn arrange(&self, mut changes: Vec<Change>) -> Vec<Change> {
        let mut state = self.seed | 1;
        let mut next = || {
            // xorshift64: enough to shuffle deterministically from the generated seed.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in (1..changes.len()).rev() {
            changes.swap(i, (next() % (i as u64 + 1)) as usize);
        }
        let mut kept: Vec<Change> = changes
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.keep & (1 << (i % 64)) != 0)
            .map(|(_, c)| c)
            .collect();
        if self.dup {
            let again: Vec<Change> = kept.iter().rev().step_by(2).cloned().collect();
            kept.extend(again);
        }
        kept
    }
}

/// Checks that all replicas agree and that nothing acknowledged was lost or doubled.
fn check_converged(world: &mut World) {
    let ids: BTreeSet<DocId> = world.replicas.iter().flat_map(|r| r.keys().copied()).collect();
    for id in &ids {
        let mut heads = Vec::new();
        for (r, docs) in world.replicas.iter_mut().enumerate() {
            let doc = docs.get_mut(id).unwrap_or_else(|| panic!("replica {r} lacks {id}"));
            assert!(doc.get_missing_deps(&[]).is_empty(), "replica {r} still waits on {id}");
            let mut h = doc.get_heads();
            h.sort();
            heads.push(h);
        }
        assert!(heads.windows(2).all(|w| w[0] == w[1]), "heads of {id} differ: {heads:?}");
        check_same_hydration(world, *id);
    }
    check_records(world);
    check_registers(world);
}

fn check_same_hydration(world: &World, id: DocId) {
    let copies: Vec<&AutoCommit> = world.replicas.iter().map(|docs| &docs[&id]).collect();
    let first = copies[0];
    for (r, doc) in copies.iter().enumerate().skip(1) {
        match id {
            DocId::Card(_) => assert_eq!(card(doc), card(first), "{id} at replica {r}"),
            DocId::Case(_) => assert_eq!(case(doc), case(first), "{id} at replica {r}"),
            DocId::Episode(_) => assert_eq!(episode(doc), episode(first), "{id} at replica {r}"),
        }
    }
}

fn card(doc: &AutoCommit) -> peihu_shared::model::Card {
    doc::hydrate_card(doc).expect("a card")
}

fn case(doc: &AutoCommit) -> peihu_shared::model::Case {
    doc::hydrate_case(doc).expect("a case")
}

fn episode(doc: &AutoCommit) -> peihu_shared::model::Episode {
    doc::hydrate_episode(doc).expect("an episode")
}

fn check_records(world: &World) {
    let docs = &world.replicas[0];
    for b in &world.ack.beneficiaries {
        let case = doc::hydrate_case(&docs[&DocId::Case(*b)]).expect("case");
        let visits: Vec<&Visit> =
            world.ack.visits.iter().filter(|(who, _)| who == b).map(|(_, v)| v).collect();
        assert_eq!(case.visits.len(), visits.len(), "visits of {b}");
        for v in visits {
            let mut stored = case.visits[&v.id.to_string()].clone();
            stored.amendments.clear();
            assert_eq!(&stored, v, "visit {} as written", v.id);
        }
        let amendments: Vec<_> = world.ack.amendments.iter().filter(|a| a.0 == *b).collect();
        let held: usize = case.visits.values().map(|v| v.amendments.len()).sum();
        assert_eq!(held, amendments.len(), "amendments of {b}");
        for (_, visit_id, id, amendment) in amendments {
            let visit = &case.visits[&visit_id.to_string()];
            assert_eq!(&visit.amendments[&id.to_string()], amendment, "amendment {id}");
        }
        let colours: Vec<_> = world.ack.colours.iter().filter(|c| c.0 == *b).collect();
        assert_eq!(case.colours.len(), colours.len() + 1, "colours of {b} (plus the first)");
        for (_, id, assessment) in colours {
            assert_eq!(&case.colours[&id.to_string()], assessment, "colour {id}");
        }
    }
    let episode = doc::hydrate_episode(&docs[&DocId::Episode(world.episode)]).expect("episode");
    let held = episode.notices.len() + episode.daily.len() + episode.handovers.len();
    assert_eq!(held, world.ack.episode_records.len(), "episode records");
    for (map, id) in &world.ack.episode_records {
        let key = id.to_string();
        let present = match *map {
            "notices" => episode.notices.contains_key(&key),
            "daily" => episode.daily.contains_key(&key),
            _ => episode.handovers.contains_key(&key),
        };
        assert!(present, "{map} record {id} is missing");
    }
}

/// A write survives unless a later write was made by a replica that had received it; two or
/// more survivors must all be listed by `doc::conflicts`, each with its author.
fn check_registers(world: &World) {
    let overwritten: BTreeSet<usize> =
        world.ack.writes.iter().flat_map(|w| w.overwrites.iter().copied()).collect();
    let mut survivors: BTreeMap<(DocId, Field), Vec<&Write>> = BTreeMap::new();
    for (i, w) in world.ack.writes.iter().enumerate() {
        if !overwritten.contains(&i) {
            survivors.entry((w.doc, w.field)).or_default().push(w);
        }
    }
    for docs in &world.replicas {
        for (id, doc) in docs {
            let conflicts = doc::conflicts(doc);
            for field in [Field::CardPhone, Field::CaseAddress, Field::EpisodeWard] {
                let path = field.conflict_path();
                let listed = conflicts.iter().find(|c| c.path == path);
                match survivors.get(&(*id, field)) {
                    Some(alive) if alive.len() > 1 => {
                        let listed = listed.unwrap_or_else(|| panic!("{id} {path}: no conflict"));
                        let got: BTreeSet<(String, String)> = listed
                            .values
                            .iter()
                            .map(|v| (v.value.clone(), format!("{:?}", v.set)))
                            .collect();
                        let want: BTreeSet<(String, String)> = alive
                            .iter()
                            .map(|w| (w.value.clone(), format!("{:?}", w.prov)))
                            .collect();
                        assert_eq!(got, want, "{id} {path}: concurrent values and authors");
                    }
                    Some(alive) => {
                        assert!(listed.is_none(), "{id} {path}: a single survivor is no conflict");
                        assert_eq!(register_value(doc, *id, field), alive[0].value, "{id} {path}");
                    }
                    None => assert!(listed.is_none(), "{id} {path}: never written, no conflict"),
                }
            }
        }
    }
}

fn register_value(doc: &AutoCommit, id: DocId, field: Field) -> String {
    match (id, field) {
        (DocId::Card(_), Field::CardPhone) => doc::hydrate_card(doc).expect("card").contact_phone.v,
        (DocId::Case(_), Field::CaseAddress) => {
            doc::hydrate_case(doc).expect("case").profile.address.v
        }
        (DocId::Episode(_), Field::EpisodeWard) => {
            doc::hydrate_episode(doc).expect("episode").ward.v
        }
        _ => unreachable!("a field is only written to its own kind of document"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_whatever_order_changes_arrive_in(
        replicas in 3usize..=5,
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let mut world = World::new(replicas);
        for op in &ops {
            world.apply(op);
        }
        world.exchange_fully();
        check_converged(&mut world);
    }
}

/// Three amendments of one visit, made one after another on one device, reach another device as
/// the third, then the first, then the second: each waits until what it builds on has arrived.
#[test]
fn amendments_delivered_third_first_second_wait_for_their_predecessors() {
    let b = BeneficiaryId::from_bytes(id_bytes(1, 1));
    let (_, mut origin) = doc::new_beneficiary(&beneficiary(b), &prov(1, START)).expect("create");
    let v = visit(VisitId::from_bytes(id_bytes(4, 1)), prov(1, START + 60_000), 150);
    doc::add_visit(&mut origin, &v).expect("add a visit");
    let mut other = origin.fork().with_actor(actor(9));
    let mut edits = Vec::new();
    for n in 1..=3u64 {
        let amendment = VisitAmendment {
            photo_facts: None,
            prov: prov(1, START + n as i64 * 120_000),
            reason: format!("第{n}次更正"),
            vitals: None,
            notes: Some(format!("更正{n}")),
            add_photos: None,
        };
        let heads = origin.get_heads();
        doc::amend_visit(&mut origin, v.id, RecordId::from_bytes(id_bytes(5, n)), &amendment)
            .expect("amend");
        edits.push(origin.get_changes(&heads).remove(0));
    }
    let amendments = |d: &AutoCommit| -> Vec<String> {
        let case = doc::hydrate_case(d).expect("case");
        case.visits[&v.id.to_string()].amendments.values().map(|a| a.reason.clone()).collect()
    };

    other.apply_changes([edits[2].clone()]).expect("apply the third");
    assert!(amendments(&other).is_empty(), "the third waits for the second");
    assert_eq!(other.get_missing_deps(&[]), vec![edits[1].hash()]);

    other.apply_changes([edits[0].clone()]).expect("apply the first");
    assert_eq!(amendments(&other), ["第1次更正"]);

    other.apply_changes([edits[1].clone(), edits[2].clone()]).expect("apply the second");
    assert_eq!(amendments(&other), ["第1次更正", "第2次更正", "第3次更正"]);
    assert!(other.get_missing_deps(&[]).is_empty());
    assert_eq!(other.get_heads(), origin.get_heads());
    let effective = doc::hydrate_case(&other).expect("case").visits[&v.id.to_string()].effective();
    assert_eq!(effective.notes, "更正3");
}
