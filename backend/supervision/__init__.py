"""QR supervision (码上监督): codes, desk cards, deadline rules, texts and the ratings export.

Decisions, in one place:

- Codes: one `SupervisionCode` per department (staff_id NULL) and one per public-facing post. A
  post is public-facing when `Staff.public_facing` is set (roster) or an administrator designates
  it in the console (`designate_public_post`, with the title printed on the desk card). Running
  `issue_codes` again creates only what is missing and moves/retires post codes of staff who
  changed department, left or are no longer public-facing.
- Ratings: the five levels of the national "好差评" standard, or the pilot's four (console
  setting `supervision.rating_scale`). One rating per device, unit (code) and local day: the
  device is a random id in a signed cookie, enforced by a unique key; POSTs are CSRF-protected and
  rate-limited per address (`backend.web.limits.limiter`, counters shared by all workers). Since a
  cookie is easily dropped, the database also bounds, per local day, the ratings one network
  (IPv4 /24, IPv6 /64, stored only as a keyed hash in `Rating.network`) leaves on one unit and the
  work orders one unit takes (`rules.PublicBounds`, from settings).
- Work orders: a 不满意/非常不满意 rating or a complaint opens one, with deadlines on working days
  from `backend.schedule.calendar.load_calendar` (return visit by the 1st working day after the
  rating, rectification reported by the 15th). Steps: visit → rectification → close; then the
  visitor may rate once more (a follow-up rating opens no new order).
- WeCom (through the outbox, see `notify` and `digest`): a new order goes to the department's
  principal head and the administrators at once if the unit heard of none within the digest
  interval, otherwise it waits for one digest listing every held order (scheduler job
  `supervision-digests`). Administrators are staff with Role.ADMIN plus staff linked to an admin
  console account. Reminders on the visit due day and 3 working days before rectification is due
  go to the head; escalations after a deadline go to the head and the administrators. Each alert
  is sent once (run record `supervision-deadlines:<order>:<stage>`).
"""
