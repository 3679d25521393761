"""The pictures of the README and the documentation site: `make screenshots` (not run by CI).

Seeds a throw-away SQLite database, serves the demo shop on 127.0.0.1:$PORT (8103), places an
order in Chromium (/usr/bin/chromium, or $CHROMIUM_PATH) and writes docs/screenshots/:

- storefront.png    the home page
- confirmation.png  the confirmation page with the document password
- email.png         the confirmation email, as the dev inbox shows its HTML
- pdf.png           page 1 of the attached PDF, decrypted with that password (pdftoppm)
- editor.png        the staff editor of the order-confirmation email (Django admin)
- health.png        the Delivery health page (Django admin)
- storefront-phone.png, confirmation-phone.png   the same pages on a 390 px phone

Each is 1280 px wide (390 for the phone), cropped to the window, and kept under ~200 KB. The
documentation site (docs/) shows them; the README shows some.
"""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = int(os.environ.get("PORT", "8103"))
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH, HEIGHT = 1280, 860
PHONE = {"width": 390, "height": 844}
MAX_BYTES = 200_000
ADMIN = ("admin", "sealpost-demo")  # demo/management/commands/seed_demo.py, DEBUG only


def manage(env: dict[str, str], *args: str) -> subprocess.Popen | None:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    if args[0] == "runserver":
        return subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our own manage.py
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return None


def wait_for_server(process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit(f"The server on port {PORT} stopped (is the port in use?)")
        try:
            with urllib.request.urlopen(BASE + "/", timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The server on port {PORT} did not answer")


def save_png(image: Image.Image, name: str) -> Path:
    """Write `image` as a PNG under MAX_BYTES: fewer colours until it fits (text stays sharp)."""
    path = OUT / f"{name}.png"
    image = image.convert("RGB")
    for colours in (None, 256, 128, 64):
        candidate = image if colours is None else image.quantize(colours, dither=Image.NONE)
        buffer = io.BytesIO()
        candidate.save(buffer, "PNG", optimize=True)
        if buffer.tell() <= MAX_BYTES or colours == 64:
            path.write_bytes(buffer.getvalue())
            return path
    return path


def shoot(page, name: str) -> None:
    save_png(Image.open(io.BytesIO(page.screenshot())), name)


def place_order(page) -> str:
    """Buy an engraved board and return the document password the confirmation shows."""
    page.goto(BASE + "/")
    page.get_by_role("link", name="Engraved Cutting Board").click()
    page.get_by_label("Wood").select_option(label="Oak (+SEK 120.00)")
    page.get_by_label("Engraving").fill("För Åsa & Björn")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("First name").fill("Åsa")
    page.get_by_label("Last name").fill("Öberg")
    page.get_by_label("Email").fill("asa.oberg@example.com")
    page.get_by_label("Address", exact=True).fill("Storgatan 12")
    page.get_by_label("Postal code").fill("831 30")
    page.get_by_label("City").fill("Östersund")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Pay").click()
    page.get_by_test_id("order-number").wait_for()
    return page.get_by_test_id("document-password").first.inner_text().strip()


def pdf_page_one(pdf: bytes, password: str, workdir: Path) -> Image.Image:
    """Decrypt with the customer's password, then draw page 1 1280 px wide (pdftoppm)."""
    reader = PdfReader(io.BytesIO(pdf))
    if not reader.decrypt(password):
        raise SystemExit("The PDF did not open with the password on the confirmation page")
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    plain = workdir / "page1.pdf"
    with plain.open("wb") as file:
        writer.write(file)
    pdftoppm = shutil.which("pdftoppm") or "pdftoppm"
    prefix = workdir / "page1"
    size = ["-scale-to-x", str(WIDTH), "-scale-to-y", "-1"]
    command = [pdftoppm, "-png", "-singlefile", *size, str(plain), str(prefix)]
    subprocess.run(command, check=True)  # noqa: S603 - fixed arguments, our own file
    image = Image.open(f"{prefix}.png")
    return image.crop((0, 0, WIDTH, min(image.height, HEIGHT)))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{workdir / 'screenshots.sqlite3'}",
            "CELERY_BROKER_URL": "",  # tasks run in the web process
        }
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--admin")
        server = manage(env, "runserver", f"127.0.0.1:{PORT}", "--noreload", "--skip-checks")
        try:
            wait_for_server(server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # English, whatever the machine's own locale: the README is English.
                page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB")
                page.goto(BASE + "/")
                shoot(page, "storefront")
                password = place_order(page)
                shoot(page, "confirmation")

                page.goto(BASE + "/dev/inbox/")
                page.get_by_role("link", name="Your Nordic Goods order").first.click()
                link = page.get_by_test_id("inbox-attachment").first
                pdf = page.request.get(BASE + link.get_attribute("href")).body()
                page.goto(page.url.rstrip("/") + "/html/")  # the email as the customer sees it
                page.wait_for_load_state("networkidle")
                shoot(page, "email")
                save_png(pdf_page_one(pdf, password, workdir), "pdf")

                page.goto(BASE + "/admin/login/")
                page.get_by_label("Username").fill(ADMIN[0])
                page.get_by_label("Password").fill(ADMIN[1])
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(BASE + "/admin/")
                page.goto(BASE + "/admin/messaging/messagetemplate/")
                page.get_by_role("link", name="Order confirmation").first.click()
                page.locator("#id_text_body").wait_for()
                page.wait_for_load_state("networkidle")
                shoot(page, "editor")
                page.goto(BASE + "/admin/delivery-health/")
                page.wait_for_load_state("networkidle")
                shoot(page, "health")

                # A customer on a phone: a session of its own, so the confirmation is theirs.
                phone = browser.new_page(viewport=PHONE, locale="en-GB", is_mobile=True)
                phone.goto(BASE + "/")
                shoot(phone, "storefront-phone")
                place_order(phone)
                shoot(phone, "confirmation-phone")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
