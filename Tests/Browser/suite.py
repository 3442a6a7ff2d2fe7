"""The web app in a real browser (Debian's chromium and chromedriver, driven by selenium) against the whole stack
that scripts/browser.sh starts with the demo data. Each test fails on an error in the browser's console; the
screenshots of the main pages at 360 and 1280 px wide go to run/screenshots.

    python3 Tests/Browser/suite.py <gateway URL> <screenshot folder>
"""
import datetime
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request
import uuid
import zlib

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

GATEWAY = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:28080"
SHOTS = sys.argv[2] if len(sys.argv) > 2 else "run/screenshots"
TOTP_SECRET = sys.argv[3] if len(sys.argv) > 3 else None
GATEWAY_PID = os.environ.get("GATEWAY_PID")
WAIT = 30


def browser(width=1280, height=900):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=en-US", f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.errors = []
    return driver


def api(method, path, body=None, token=None):
    request = urllib.request.Request(GATEWAY + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"null")


class Page:
    """One browser, with what a person does on the app's pages."""

    def __init__(self, test, width=1280, height=900):
        self.test = test
        self.driver = browser(max(width, 500), height)
        self.resize(width, height)
        test.addCleanup(self.close)

    def resize(self, width, height):
        """Headless Chrome's windows are at least 500 px wide: a phone's width is emulated."""
        self.width = width
        if width < 500:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
        else:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            self.driver.set_window_size(width, height)

    def close(self):
        self.check_console()
        self.driver.quit()

    def open(self, path):
        self.driver.get(GATEWAY + path)
        self.wait_for("h1")

    def wait_for(self, css, text=None, timeout=WAIT):
        def found(driver):
            try:
                for element in driver.find_elements(By.CSS_SELECTOR, css):
                    if element.is_displayed() and (text is None or text in element.text):
                        return element
            except StaleElementReferenceException:  # the page was drawn again meanwhile
                pass
            return False
        try:
            return WebDriverWait(self.driver, timeout).until(found)
        except TimeoutException:
            self.test.fail(f"no {css!r} with {text!r} on {self.driver.current_url}; the page says:\n{self.driver.find_element(By.TAG_NAME, 'main').text}")

    def fill(self, label, value):
        """Types into the control whose label reads `label` (as a person finds it)."""
        field = self.wait_for("label", label)
        control = self.driver.find_element(By.ID, field.get_attribute("for"))
        if control.tag_name == "select":
            Select(control).select_by_value(value)
        else:
            control.clear()
            control.send_keys(value)
        return control

    def click(self, text, css="button, a"):
        """Clicks once the control takes clicks: a form's button is off while its last submit is under way."""
        control = self.wait_for(css, text)
        WebDriverWait(self.driver, WAIT).until(lambda _: control.is_enabled())
        control.click()

    def sign_in(self, email, password, code=None):
        self.open("/sign-in")
        self.fill("Email", email)
        self.fill("Password", password)
        self.click("Sign in", "form button")
        if code:
            self.wait_for("label", "Two-factor code")
            self.fill("Two-factor code", code())
            self.click("Sign in", "form button")
        self.wait_for("nav button", "Sign out")

    def path(self):
        return urllib.parse.urlparse(self.driver.current_url).path

    def shoot(self, name):
        """Saves the page as `name-<width>.png`, once sure that nothing on it is wider than the screen."""
        time.sleep(0.3)  # images decoding
        shown = self.driver.execute_script("return document.documentElement.scrollWidth")
        self.test.assertLessEqual(shown, self.width, f"{name} is {shown} px wide on a {self.width} px screen")
        self.driver.save_screenshot(f"{SHOTS}/{name}-{self.width}.png")

    def check_console(self, allowed=()):
        """Fails on an error in the console; `allowed` names answers the test provokes (a 402 for a declined card)."""
        for entry in self.driver.get_log("browser"):
            if entry["level"] != "SEVERE" or any(expected in entry["message"] for expected in allowed):
                continue
            self.driver.errors.append(entry["message"])
        self.test.assertEqual(self.driver.errors, [], "errors in the browser's console")


def png(width, height):
    """A picture of one colour, as a PNG file holds it."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x0f\x76\x6e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def mail_link(to, kind):
    """The link of the newest mail to `to` whose link goes to `/kind`, from the development mailbox."""
    for _ in range(60):
        for letter in api("GET", "/api/v1/dev/mailbox?limit=50")["items"]:
            found = re.search(r"https?://[^\s\"<]+/" + kind + r"\?token=[\w%-]+", letter["text"])
            if letter["to"] == to and found:
                return found.group(0)
        time.sleep(0.5)
    raise AssertionError(f"no {kind} mail to {to}")


def book_and_open_payment(page, search, title, guests, keyboard=False):
    page.open("/")
    box = page.fill("Where to, what to do?", search)
    suggestion = page.wait_for("#suggestions li", title)
    if keyboard:  # the suggestions are a combobox: arrows move, Enter chooses
        box.send_keys(Keys.ARROW_DOWN)
        WebDriverWait(page.driver, WAIT).until(lambda _: box.get_attribute("aria-activedescendant"))
        box.send_keys(Keys.ENTER)
    else:
        suggestion.click()
    page.wait_for(".card a", title).click()
    page.wait_for("h1", title)
    page.fill("Guests", str(guests)).send_keys(Keys.TAB)
    time.sleep(0.5)  # the slots for that many guests
    page.wait_for(".calendar label").click()
    page.wait_for(".book .price", "Total")
    page.click("Book", "form.book button")
    page.wait_for("form.card-form")


def pay(page, number):
    page.fill("Card number", number)
    page.fill("Expiry (MM/YY)", "12/30")
    page.fill("Security code", "123")
    page.click("Pay", "form.card-form button")


class BrowserSuite(unittest.TestCase):
    def test_1_a_traveler_signs_up_books_pays_and_writes_to_the_provider_who_sees_it_live(self):
        traveler = Page(self)
        email = f"sofia-{uuid.uuid4().hex[:8]}@mayago.test"
        traveler.open("/sign-up")
        traveler.fill("Name", "Sofía Ek")
        traveler.fill("Email", email)
        traveler.fill("Password", "cenote-swimmer-2026")
        traveler.fill("I want to", "traveler")
        traveler.click("Sign up", "form button")
        traveler.wait_for("h1", "Check your mail")
        traveler.driver.get(mail_link(email, "verify-email"))
        traveler.wait_for("h1", "Your email is confirmed")
        traveler.sign_in(email, "cenote-swimmer-2026")
        # Her profile and a copy of her data, from the account page.
        traveler.open("/account")
        traveler.fill("City", "Tizimín")
        traveler.fill("About you (Español)", "Nado en cenotes los domingos.")
        traveler.click("Save", "form[aria-label=Profile] button")
        traveler.wait_for("form[aria-label=Profile] [role=status]", "Saved")
        traveler.click("Email me a copy of my data")
        traveler.wait_for("[role=status]", "email you a link")
        traveler.open("/account")
        self.assertEqual(traveler.wait_for("input[name=city]").get_attribute("value"), "Tizimín")

        book_and_open_payment(traveler, "cenot", "Cenote swim near Valladolid", 2)
        booking_id = traveler.path().split("/")[-1]
        traveler.wait_for(".card-form .price", "MX$1,700.00")
        pay(traveler, "4242 4242 4242 4242")
        traveler.wait_for(".status", "Confirmed")

        traveler.click("Message the provider")
        WebDriverWait(traveler.driver, WAIT).until(seen.url_contains("/messages/"))
        traveler.wait_for(".composer")
        conversation = traveler.path()
        provider = Page(self)
        provider.sign_in("luis@mayago.test", "luis-demo-provider")
        provider.open(conversation)
        provider.wait_for("h1", "Sofía Ek")
        time.sleep(1)  # the provider's socket is open
        traveler.fill("Write a message", "Hola Luis, we are two: is there a place to leave our bags?")
        traveler.click("Send", ".composer button")
        traveler.wait_for(".chat li.mine", "leave our bags")
        provider.wait_for(".chat li.theirs", "leave our bags")
        provider.fill("Write a message", "Sí, there are lockers at the entrance.")
        provider.click("Send", ".composer button")
        traveler.wait_for(".chat li.theirs", "lockers")
        # A picture attached: uploaded, sent, and opened in place by the provider (the download wants his token).
        folder = tempfile.mkdtemp()
        with open(f"{folder}/locker-map.png", "wb") as picture:
            picture.write(png(3, 2))
        traveler.driver.find_element(By.CSS_SELECTOR, ".composer input[type=file]").send_keys(f"{folder}/locker-map.png")
        traveler.wait_for(".composer .chosen", "locker-map.png")
        traveler.fill("Write a message", "Here is the map they gave us.")
        traveler.click("Send", ".composer button")
        traveler.wait_for(".chat li.mine", "map they gave us")
        provider.click("Attachment 1", ".chat li.theirs button.attachment")
        shown = provider.wait_for(".chat li.theirs img.attachment")
        WebDriverWait(provider.driver, WAIT).until(lambda driver: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", shown) == 3)
        self.assertEqual(shown.get_attribute("alt"), "locker-map.png")

        provider.open("/provider")
        provider.wait_for(f"li[data-booking='{booking_id}']", "Confirmed")

    def test_2_a_provider_creates_an_experience_with_a_weekly_schedule_and_publishes_it(self):
        provider = Page(self)
        provider.sign_in("carmen@mayago.test", "carmen-demo-provider")
        provider.open("/provider")
        provider.click("New experience")
        provider.wait_for("h1", "New experience")
        title = f"Market walk and breakfast {uuid.uuid4().hex[:4]}"
        provider.fill("Title", title)
        provider.fill("Description", "Lucas de Gálvez market at dawn, then breakfast of panuchos and horchata.")
        provider.fill("Category", "food")
        provider.fill("City", "Mérida")
        provider.fill("Latitude", "20.9634")
        provider.fill("Longitude", "-89.6226")
        provider.fill("Price per person (in units, e.g. 850.00)", "450")
        provider.click("Create the experience", "form button")
        provider.wait_for("#experience-status", "Draft")
        experience_id = provider.path().split("/")[-1]
        for day in range(1, 8):
            provider.driver.find_element(By.ID, f"day-{day}").click()
        # Carmen's cooking class runs 10:00 to 14:00 on some of these days: her slots may not overlap it.
        provider.fill("Start times", "07:00, 15:00")
        provider.click("Add the schedule", "form button")
        provider.wait_for("p[role=status]", "dates opened")
        provider.click("Publish")
        provider.wait_for("#experience-status", "Published")
        availability = api("GET", f"/api/v1/experiences/{experience_id}/availability")
        self.assertGreaterEqual(len(availability["slots"]), 50)
        # One more date, typed in the experience's time zone (Mérida, UTC-6), then cancelled again.
        day = datetime.date.today() + datetime.timedelta(days=2)
        provider.wait_for("label", "Date (America/Merida)")
        provider.driver.execute_script("arguments[0].value = arguments[1]", provider.driver.find_element(By.CSS_SELECTOR, "input[name=date]"), day.isoformat())
        provider.driver.execute_script("arguments[0].value = '18:30'", provider.driver.find_element(By.CSS_SELECTOR, "input[name=time]"))
        provider.click("Add the date", "form button")
        added = f"{day + datetime.timedelta(days=1)}T00:30:00"  # 18:30 in Mérida is 00:30 UTC the next day
        for _ in range(50):
            slots = api("GET", f"/api/v1/experiences/{experience_id}/availability")["slots"]
            if any(slot["startsAt"].startswith(added) for slot in slots):
                break
            time.sleep(0.2)
        else:
            self.fail(f"no slot at {added}Z")
        evening = provider.wait_for(".list li", "6:30 PM")
        evening.find_element(By.TAG_NAME, "button").click()
        WebDriverWait(provider.driver, WAIT).until(lambda _: not any(
            slot["startsAt"].startswith(added) for slot in api("GET", f"/api/v1/experiences/{experience_id}/availability")["slots"]))
        provider.click("See the listing")
        provider.wait_for("h1", title)

    def test_3_a_declined_card_shows_why_3d_secure_asks_and_a_cancellation_shows_its_refund_first(self):
        traveler = Page(self)
        traveler.sign_in("ana@mayago.test", "ana-demo-traveler")
        book_and_open_payment(traveler, "tacos", "Tacos al pastor night tour", 1, keyboard=True)
        pay(traveler, "4000 0000 0000 0002")
        alert = traveler.wait_for(".card-form [role=alert]", "declined")
        self.assertIn("declined", alert.text.lower())
        traveler.check_console(allowed=("402",))

        # A card whose bank asks for 3-D Secure: the local provider's stand-in page, then confirmed.
        book_and_open_payment(traveler, "tacos", "Tacos al pastor night tour", 1)
        pay(traveler, "4000 0027 6000 3184")
        traveler.wait_for("[role=alertdialog]", "3-D Secure")
        traveler.click("Confirm the payment")
        traveler.wait_for(".status", "Confirmed")
        traveler.click("Cancel the booking")
        quote = traveler.wait_for("[role=alertdialog]", "you get back")
        self.assertRegex(quote.text, r"you get back MX\$\d")
        traveler.click("Cancel and refund")
        traveler.wait_for(".status", "Cancelled by the traveler")
        traveler.wait_for(".facts dd", "MX$")

    def test_4_main_pages_at_360_and_1280_px(self):
        for width, height in ((360, 780), (1280, 900)):
            traveler = Page(self, width, height)
            traveler.open("/")
            traveler.wait_for(".card img")
            traveler.shoot("explore")
            missing = traveler.driver.execute_async_script(
                "const done = arguments[0]; import('/js/i18n.js').then(({ words }) => done("
                "Object.keys(words.en).filter((key) => !(key in words.es)).concat(Object.keys(words.es).filter((key) => !(key in words.en)))))")
            self.assertEqual(missing, [], "words in one language only")
            Select(traveler.driver.find_element(By.ID, "language")).select_by_value("es")
            traveler.wait_for("h1", "¿A dónde, qué hacer?")
            traveler.wait_for(".card .price", "desde")
            Select(traveler.driver.find_element(By.ID, "language")).select_by_value("en")
            traveler.wait_for("h1", "Where to, what to do?")
            traveler.click("Cenote swim near Valladolid", ".card a")
            traveler.wait_for(".calendar label")
            traveler.shoot("experience")
            traveler.open("/sign-in")
            traveler.shoot("sign-in")
            traveler.sign_in("ana@mayago.test", "ana-demo-traveler")
            traveler.open("/bookings")
            traveler.wait_for(".list li")
            traveler.shoot("bookings")
            traveler.wait_for(".list a").click()
            traveler.wait_for(".facts")
            traveler.shoot("booking")
            traveler.open("/messages")
            traveler.click("Cenote swim", ".list a")
            traveler.wait_for(".chat li")
            traveler.shoot("conversation")
            traveler.open("/inbox")
            traveler.shoot("inbox")
            traveler.open("/account")
            traveler.wait_for("table")
            traveler.shoot("account")
            provider = Page(self, width, height)
            provider.sign_in("luis@mayago.test", "luis-demo-provider")
            provider.open("/provider")
            provider.wait_for(".list li")
            provider.shoot("provider")
        # One admin sign-in for both widths: a two-factor code is good once.
        if TOTP_SECRET:
            admin = Page(self)
            code = lambda: subprocess.check_output(["python3", "scripts/totp.py", TOTP_SECRET], text=True).strip()
            admin.sign_in("admin@mayago.test", "admin-demo-password", code)
            admin.check_console(allowed=("api/v1/auth/login - Failed to load resource: the server responded with a status of 401",))
            for width, height in ((360, 780), (1280, 900)):
                admin.resize(width, height)
                admin.open("/admin")
                admin.wait_for("p[role=status]", "ledger balances")
                admin.wait_for("tbody tr")
                admin.shoot("admin")

    def test_5_the_bookings_page_works_offline(self):
        """Last: it stops the gateway."""
        traveler = Page(self)
        traveler.sign_in("ana@mayago.test", "ana-demo-traveler")
        traveler.open("/bookings")
        first = traveler.wait_for(".list li a").text
        # The service worker has the shell and the list; then the network goes: the page is told it is offline
        # (Chrome's emulation, which does not reach the service worker) and the gateway stops (which does).
        traveler.driver.execute_cdp_cmd("Network.enable", {})
        traveler.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        if GATEWAY_PID:
            os.kill(int(GATEWAY_PID), signal.SIGTERM)
            for _ in range(50):
                try:
                    urllib.request.urlopen(GATEWAY + "/health", timeout=1)
                    time.sleep(0.1)
                except OSError:
                    break
        traveler.driver.refresh()
        traveler.wait_for("h1", "My bookings")
        traveler.wait_for(".list li a", first)
        traveler.check_console(allowed=("net::ERR_",))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
