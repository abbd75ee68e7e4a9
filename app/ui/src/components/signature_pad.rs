//! A box to sign in with a finger; hands over the signature as PNG bytes.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};
use yew::prelude::*;

use crate::hooks::use_tr;

/// Properties.
#[derive(Properties, PartialEq)]
pub struct SignaturePadProps {
    /// Called with the PNG when the escort saves it.
    pub onsave: Callback<Vec<u8>>,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

fn point(canvas: &HtmlCanvasElement, e: &PointerEvent) -> (f64, f64) {
    let r = canvas.get_bounding_client_rect();
    let sx = f64::from(canvas.width()) / r.width().max(1.0);
    let sy = f64::from(canvas.height()) / r.height().max(1.0);
    ((f64::from(e.client_x()) - r.left()) * sx, (f64::from(e.client_y()) - r.top()) * sy)
}

fn png_bytes(canvas: &HtmlCanvasElement) -> Option<Vec<u8>> {
    let url = canvas.to_data_url_with_type("image/png").ok()?;
    let b64 = url.split_once(',')?.1;
    let binary = web_sys::window()?.atob(b64).ok()?;
    Some(binary.chars().map(|c| c as u32 as u8).collect())
}

/// The signature box.
#[function_component(SignaturePad)]
pub fn signature_pad(p: &SignaturePadProps) -> Html {
    let tr = use_tr();
    let canvas = use_node_ref();
    let drawing = use_mut_ref(|| false);
    let strokes = use_state(|| 0u32);
    let down = {
        let (canvas, drawing) = (canvas.clone(), drawing.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let Some(ctx) = context(&c) else { return };
            let (x, y) = point(&c, &e);
            ctx.set_line_width(5.0);
            ctx.set_line_cap("round");
            ctx.begin_path();
            ctx.move_to(x, y);
            *drawing.borrow_mut() = true;
        })
    };
    let draw = {
        let (canvas, drawing) = (canvas.clone(), drawing.clone());
        Callback::from(move |e: PointerEvent| {
            if !*drawing.borrow() {
                return;
            }
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let Some(ctx) = context(&c) else { return };
            let (x, y) = point(&c, &e);
            ctx.line_to(x, y);
            ctx.stroke();
        })
    };
    let up = {
        let (drawing, strokes) = (drawing, strokes.clone());
        Callback::from(move |_: PointerEvent| {
            if std::mem::replace(&mut *drawing.borrow_mut(), false) {
                strokes.set(*strokes + 1);
            }
        })
    };
    let clear = {
        let (canvas, strokes) = (canvas.clone(), strokes.clone());
        Callback::from(move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>()
                && let Some(ctx) = context(&c)
            {
                ctx.clear_rect(0.0, 0.0, f64::from(c.width()), f64::from(c.height()));
            }
            strokes.set(0);
        })
    };
    let save = {
        let (canvas, onsave) = (canvas.clone(), p.onsave.clone());
        Callback::from(move |_| {
            if let Some(bytes) = canvas.cast::<HtmlCanvasElement>().and_then(|c| png_bytes(&c)) {
                onsave.emit(bytes);
            }
        })
    };
    html! {
        <div class="signature">
            <p>{ tr.t("ack_sign_hint") }</p>
            <canvas id="signature-pad" ref={canvas} width="900" height="260"
                onpointerdown={down} onpointermove={draw} onpointerup={up.clone()} onpointerleave={up} />
            <div class="row">
                <button class="btn ghost" onclick={clear}>{ tr.t("ack_clear") }</button>
                <button id="save-signature" class="btn primary" onclick={save} disabled={*strokes == 0}>
                    { tr.t("ack_save_signature") }
                </button>
            </div>
        </div>
    }
}
