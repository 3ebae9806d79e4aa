# localstripe (a local fake Stripe) for the development stack, and the script that registers
# WiWebb's webhook with it. Pinned to the version the test suite runs against.
FROM python:3.12-slim-bookworm

RUN pip install --no-cache-dir localstripe==1.15.10 \
 && useradd --system --uid 10002 --no-create-home --shell /usr/sbin/nologin localstripe

COPY localstripe_webhook.py /opt/localstripe_webhook.py

# localstripe pickles its state to the fixed path /tmp/localstripe.pickle and reads it back at start.
USER 10002:10002
EXPOSE 8420
CMD ["localstripe", "--port", "8420"]
