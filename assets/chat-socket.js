// The space WebSocket with automatic reconnection. After a close it waits 1 s, doubling
// the wait after each failed attempt up to 30 s, then connects again. A ping every 25 s
// keeps proxies from closing an idle connection, and a connection that receives nothing
// for 60 s is treated as closed. A close with code 1012 (service restart) comes from an
// instance that is stopping: the client reconnects after a random 0.2 to 2 s, so a class
// does not arrive at the remaining instances all at once.
(function () {
  "use strict";

  var CoworkChat = (window.CoworkChat = window.CoworkChat || {});

  var FIRST_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  var PING_INTERVAL_MS = 25000;
  var SILENCE_LIMIT_MS = 60000;
  var SERVICE_RESTART = 1012;
  var RESTART_MIN_DELAY_MS = 200;
  var RESTART_MAX_DELAY_MS = 2000;

  /**
   * Creates a socket that calls `handlers.open()`, `handlers.message(object)` and
   * `handlers.close()`. `locate(done)` finds the URL for each attempt and calls
   * `done(url)`, or `done(null)` when it failed, which counts as a failed attempt. The
   * server's connection tokens expire after a minute, so every attempt needs a new one.
   * Call `start()` once. Calling `healthy()` after the server's greeting resets the
   * reconnection delay.
   */
  function ReconnectingSocket(locate, handlers) {
    this.locate = locate;
    this.handlers = handlers;
    this.delay = FIRST_DELAY_MS;
    this.socket = null;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastReceived = 0;
    var self = this;
    // A browser that regains its network connection need not wait for the timer.
    window.addEventListener("online", function () {
      if (self.retryTimer !== null) {
        window.clearTimeout(self.retryTimer);
        self.retryTimer = null;
        self.connect();
      }
    });
  }

  ReconnectingSocket.prototype.start = function () {
    this.connect();
  };

  ReconnectingSocket.prototype.connect = function () {
    var self = this;
    this.locate(function (url) {
      if (url === null) {
        self.handlers.close();
        self.scheduleRetry();
        return;
      }
      self.open(url);
    });
  };

  ReconnectingSocket.prototype.open = function (url) {
    var self = this;
    var socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener("open", function () {
      if (socket !== self.socket) {
        return;
      }
      self.lastReceived = Date.now();
      self.startPings();
      self.handlers.open();
    });
    socket.addEventListener("message", function (event) {
      if (socket !== self.socket) {
        return;
      }
      self.lastReceived = Date.now();
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        console.warn("cowork: ignoring a WebSocket frame that is not JSON", error);
        return;
      }
      self.handlers.message(message);
    });
    socket.addEventListener("close", function (event) {
      if (event.code === SERVICE_RESTART && socket === self.socket) {
        self.delay =
          RESTART_MIN_DELAY_MS + Math.random() * (RESTART_MAX_DELAY_MS - RESTART_MIN_DELAY_MS);
      }
      self.lost(socket);
    });
  };

  /** Forgets `socket` after it closed or fell silent, and schedules the next attempt. */
  ReconnectingSocket.prototype.lost = function (socket) {
    if (socket !== this.socket) {
      return;
    }
    this.socket = null;
    this.stopPings();
    if (socket.readyState !== WebSocket.CLOSED) {
      socket.close();
    }
    this.handlers.close();
    this.scheduleRetry();
  };

  ReconnectingSocket.prototype.scheduleRetry = function () {
    var self = this;
    this.retryTimer = window.setTimeout(function () {
      self.retryTimer = null;
      self.connect();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
  };

  ReconnectingSocket.prototype.healthy = function () {
    this.delay = FIRST_DELAY_MS;
  };

  ReconnectingSocket.prototype.isOpen = function () {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  };

  /** Sends `message` as JSON, or returns false when the connection is not open. */
  ReconnectingSocket.prototype.send = function (message) {
    if (!this.isOpen()) {
      return false;
    }
    this.socket.send(JSON.stringify(message));
    return true;
  };

  ReconnectingSocket.prototype.startPings = function () {
    var self = this;
    this.stopPings();
    this.pingTimer = window.setInterval(function () {
      if (Date.now() - self.lastReceived > SILENCE_LIMIT_MS) {
        self.lost(self.socket);
        return;
      }
      self.send({ type: "ping" });
    }, PING_INTERVAL_MS);
  };

  ReconnectingSocket.prototype.stopPings = function () {
    if (this.pingTimer !== null) {
      window.clearInterval(this.pingTimer);
      this.pingTimer = null;
    }
  };

  CoworkChat.ReconnectingSocket = ReconnectingSocket;
})();
