//! `peihu-field`: the headless Peihu client.

fn main() {
    eprintln!("peihu-field: not yet wired");
    std::process::exit(2);
}
