#!/usr/bin/env python3
"""The operators' console in a real browser (Debian's Chromium, Selenium): sign in, watch the
table move while claimload runs, pause a pool and see its claims refused, resume it, run the
audit; saves a screenshot. Started by scripts/console-check.sh with a gateway and Redis up.

    console-check.py CONSOLE_URL GATEWAY_URL CREDENTIAL CLAIMLOAD_COMMAND_FILE SCREENSHOT TOKEN
"""
import subprocess
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

console, gateway, credential, load_file, screenshot, token = sys.argv[1:7]
POOL = "comprehensive-50"


def claim(person_token):
    request = urllib.request.Request(
        gateway + "/v1/pools/" + POOL + "/claims", method="POST", data=b"",
        headers={"Authorization": "Bearer " + person_token})
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def cell(driver, css):
    return driver.find_element(By.CSS_SELECTOR, "#pool-" + POOL + " " + css).text


checks = []


def check(name, ok, what):
    checks.append(ok)
    print("CONSOLE %s: %s %s" % (name, "PASS" if ok else "FAIL", what))


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1500,900"):
    options.add_argument(a)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 10)
try:
    driver.get(console)
    # A wrong credential is refused and the sign-in form says so.
    driver.find_element(By.ID, "credential").send_keys("wrong-credential-0000")
    driver.find_element(By.ID, "sign-in").click()
    wait.until(lambda d: d.find_element(By.ID, "login-error").text != "")
    check("wrong-credential", "credential" in driver.find_element(By.ID, "login-error").text,
          driver.find_element(By.ID, "login-error").text)
    field = driver.find_element(By.ID, "credential")
    field.clear()
    field.send_keys(credential)
    driver.find_element(By.ID, "sign-in").click()
    wait.until(EC.presence_of_element_located((By.ID, "pool-" + POOL)))
    before = int(cell(driver, ".granted"))
    # The table moves while claims flow.
    with open(load_file) as f:
        load = subprocess.Popen(f.read().split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)
    moving = int(cell(driver, ".granted"))
    rate = cell(driver, ".rate")
    load.wait(timeout=30)
    check("live", moving > before, "granted %d -> %d while claimload ran (grants/s shown %s)" % (before, moving, rate))
    # Pause, with the reason asked and a confirmation naming the pool and the window.
    driver.find_element(By.CSS_SELECTOR, "#pool-" + POOL + " button[data-action=pause]").click()
    prompt = wait.until(EC.alert_is_present())
    prompt.send_keys("a ticketing fault is being fixed")
    prompt.accept()
    confirm = wait.until(EC.alert_is_present())
    confirm_text = confirm.text
    confirm.accept()
    wait.until(lambda d: "paused" in cell(d, ".state"))
    status, body = claim(token)
    check("pause", status == 409 and '"paused"' in body and "ticketing fault" in body and POOL in confirm_text
          and "window p1" in confirm_text,
          "confirm said %r; a claim then %d %s" % (confirm_text, status, body[:80]))
    driver.save_screenshot(screenshot)
    driver.find_element(By.CSS_SELECTOR, "#pool-" + POOL + " button[data-action=resume]").click()
    wait.until(EC.alert_is_present()).accept()
    wait.until(lambda d: "open" in cell(d, ".state"))
    status, body = claim(token)
    check("resume", status == 201, "a claim then %d" % status)
    driver.find_element(By.ID, "run-audit").click()
    wait.until(lambda d: "last audit" in d.find_element(By.ID, "audit").text)
    check("audit", "clean" in driver.find_element(By.ID, "audit").text, driver.find_element(By.ID, "audit").text[:100])
finally:
    driver.quit()
sys.exit(0 if checks and all(checks) else 1)
