/**
 * Presence: one Heartbeat tick per user and site (docs/CONTRACT.md §3).
 *
 * The tabs of one user on one site elect a leader. Only the leader sends `wp-presence`; the
 * others ("followers") hand their state to it over a BroadcastChannel, and it reports every
 * tab in its tick (`tabs`) and shares the reply, which the followers render.
 *
 * - Election: a Web Lock held for the life of the page (`navigator.locks`); the tab that gains
 *   focus steals it, so the leader is the tab the user works in and its Heartbeat is never the
 *   throttled one of a background tab. Without Web Locks: the leader announces itself every few
 *   seconds on the channel and a follower claims when it stops. Without BroadcastChannel every
 *   tab leads itself (one tick per tab, as before).
 * - Leaving: on `pagehide` a tab sends one beacon that gives its entries a short grace instead of
 *   removing them; the same tab's next page restores them with its first tick.
 * - Back-off: after `idleTicks` ticks in which nothing changed, the leader ticks every
 *   `idleInterval` seconds; any input, in any tab, brings the normal interval back at once.
 *
 * Exposes `window.wpPresenceTabs.start( options )`; `assets/presence.js` is its only user.
 *
 * @package Presence
 */

( function ( window, document ) {
	'use strict';

	const TAB_KEY = 'wpPresenceTab';
	const TAB_PATTERN = /^[a-z0-9]{8,16}$/;
	/** Followers re-send their state this often, so the leader knows they are still there. */
	const STATE_REFRESH_MS = 30000;
	/**
	 * A tab not heard from for this long is no longer reported. With Web Locks the leader also
	 * learns at once that a tab closed (see watchPeer()); without them, silence is all it has, so
	 * the limit is shorter (two refreshes, even when a background tab's timers are throttled).
	 */
	const PEER_TTL_MS = 150000;
	const CHANNEL_PEER_TTL_MS = 75000;
	/** Channel fallback: the leader says so this often; silence this long lets a follower claim. */
	const ALIVE_MS = 2000;
	const DEAD_MS = 5000;
	/** A tab that takes over waits this long for a navigating leader's next page to steal it back. */
	const TAKEOVER_SETTLE_MS = 1000;
	/** Core's unfocused interval: what a follower's own Heartbeat slows to. */
	const FOLLOWER_INTERVAL = 120;

	function randomId() {
		const bytes = new Uint8Array( 12 );
		( window.crypto || window.msCrypto ).getRandomValues( bytes );
		return Array.from( bytes, ( b ) => ( b % 36 ).toString( 36 ) ).join( '' );
	}

	function storeTabId( id ) {
		try {
			window.sessionStorage.setItem( TAB_KEY, id );
		} catch ( e ) {}
	}

	/** The tab id: random, per tab, kept across the tab's page loads in sessionStorage. */
	function loadTabId() {
		let id = '';
		try {
			id = window.sessionStorage.getItem( TAB_KEY ) || '';
		} catch ( e ) {}
		if ( ! TAB_PATTERN.test( id ) ) {
			id = randomId();
			storeTabId( id );
		}
		return id;
	}

	function now() {
		return Date.now();
	}

	/**
	 * Starts the coordination for this page.
	 *
	 * @param {Object}   options
	 * @param {Object}   options.heartbeat   wp.heartbeat.
	 * @param {Object}   options.settings    window.wpPresenceTabsSettings.
	 * @param {Function} options.state       () => this tab's state: { screen, activity, post_id? }.
	 * @param {Function} options.onReply     ( reply ) => void: a reply the leader shared.
	 * @param {Function} options.onTabChange ( tab ) => void: this tab had to take a new id.
	 * @param {boolean}  options.keepInterval Leave this page's own Heartbeat interval alone as a
	 *                                       follower (editor screens: post locks, autosave).
	 * @return {Object} The controller (see the end of this function).
	 */
	function start( options ) {
		const heartbeat = options.heartbeat;
		const settings = options.settings || {};
		const scope = String( settings.scope || 'default' );
		const idleTicks = Math.max( 1, parseInt( settings.idleTicks, 10 ) || 5 );
		const idleInterval = Math.max( 1, parseInt( settings.idleInterval, 10 ) || 45 );
		const maxTabs = Math.max( 0, parseInt( settings.maxTabs, 10 ) || 16 );
		const baseInterval = heartbeat.interval();

		let tab = loadTabId();
		let ack = '';
		let leader = false;
		let mode = 'solo';
		let channel = null;
		const peers = {}; // tab id => { state, ack, at }
		let settled = false;
		let lastShared = 0; // when the leader last shared a reply (any leader)
		let ownInterval = null; // the interval this script set last (null: core's own)
		let backedOff = false;
		let leaderBackedOff = false;
		let quietTicks = 0;
		let lastSent = '';
		let takeoverTimer = 0;
		let lockAbort = null;
		let epoch = 0;
		let leaderSeen = 0;
		let leaderTabId = '';
		let claimTimer = 0;

		/** Asks Heartbeat for a tick, after the current task (so presence.js's handlers are on). */
		function tickNow() {
			window.setTimeout( () => heartbeat.connectNow(), 0 );
		}

		/* -------------------------------------------------------------- *
		 * Heartbeat interval: followers slow down, an idle leader backs off.
		 * -------------------------------------------------------------- */

		function useInterval( seconds ) {
			const current = heartbeat.interval();
			// Someone else (core's "fast" mode, another plugin) changed it: leave theirs.
			if ( current !== ( null === ownInterval ? baseInterval : ownInterval ) ) {
				return;
			}
			if ( seconds === baseInterval ) {
				ownInterval = null;
			} else {
				ownInterval = seconds;
			}
			if ( current !== seconds ) {
				heartbeat.interval( seconds );
			}
		}

		function leaderInterval() {
			return backedOff && idleInterval > baseInterval ? idleInterval : baseInterval;
		}

		function applyInterval() {
			if ( leader ) {
				useInterval( leaderInterval() );
			} else if ( ! options.keepInterval && FOLLOWER_INTERVAL > baseInterval ) {
				useInterval( FOLLOWER_INTERVAL );
			}
		}

		function setBackedOff( on ) {
			if ( backedOff === on ) {
				return;
			}
			backedOff = on;
			quietTicks = 0;
			applyInterval();
			post( { type: 'backoff', on } );
		}

		/* -------------------------------------------------------------- *
		 * Messages between the tabs.
		 * -------------------------------------------------------------- */

		function post( message ) {
			if ( channel ) {
				try {
					channel.postMessage( Object.assign( { from: tab }, message ) );
				} catch ( e ) {}
			}
		}

		function ownState() {
			const state = Object.assign( {}, options.state(), { tab } );
			if ( ack ) {
				state.ack = ack;
			}
			return state;
		}

		function sendState( urgent ) {
			post( { type: 'state', state: ownState(), urgent: !! urgent } );
		}

		function onMessage( event ) {
			const message = event.data || {};
			const from = 'string' === typeof message.from ? message.from : '';
			if ( ! from ) {
				return;
			}
			// A duplicated tab inherits the id in sessionStorage: the newer page takes another.
			if ( from === tab ) {
				if ( 'hello' === message.type ) {
					post( { type: 'taken' } );
				} else if ( 'taken' === message.type && ! settled ) {
					tab = randomId();
					storeTabId( tab );
					holdTabLock();
					ack = '';
					if ( options.onTabChange ) {
						options.onTabChange( tab );
					}
					sendState( ! focused() );
				}
				return;
			}
			switch ( message.type ) {
				case 'hello':
					sendState( false );
					if ( leader ) {
						post( { type: 'leader', tab, epoch, backedOff } );
					}
					break;
				case 'state':
					if ( message.state && TAB_PATTERN.test( message.state.tab ) && message.state.tab !== tab ) {
						peers[ message.state.tab ] = { state: message.state, at: now() };
						watchPeer( message.state.tab );
						if ( leader && message.urgent ) {
							tickNow();
						}
					}
					break;
				case 'bye':
					delete peers[ from ];
					if ( 'channel' === mode && from === leaderTabId ) {
						leaderSeen = 0;
						scheduleClaim( Math.random() * 200 );
					}
					break;
				case 'reply':
					lastShared = now();
					if ( ! leader && message.reply && 'object' === typeof message.reply ) {
						const acks = message.reply.tabs;
						if ( acks && 'string' === typeof acks[ tab ] ) {
							ack = acks[ tab ];
						}
						options.onReply( message.reply );
					}
					break;
				case 'backoff':
					leaderBackedOff = !! message.on;
					break;
				case 'input':
					if ( leader && backedOff ) {
						setBackedOff( false );
						tickNow();
					}
					break;
				case 'leader':
					onLeaderMessage( from, message );
					break;
			}
		}

		/* -------------------------------------------------------------- *
		 * Becoming leader or follower.
		 * -------------------------------------------------------------- */

		/* Closed tabs (Web Locks) ----------------------------------------- */

		// Every tab holds a lock named after it for its life. The leader queues for the lock of
		// each tab it reports: when it gets one, that tab is gone (a goodbye posted while a page
		// unloads is not always delivered), and it stops reporting it at once.
		const watched = {};

		function tabLockName( id ) {
			return 'wp-presence-tab-' + scope + '-' + id;
		}

		let tabLockPending = null; // Abort controller of our own tab lock until it is granted.

		function holdTabLock() {
			if ( 'locks' !== mode ) {
				return;
			}
			if ( tabLockPending ) {
				// Queued behind the tab whose id we had to give up (a duplicate): withdraw it.
				tabLockPending.abort();
			}
			const controller = window.AbortController ? new window.AbortController() : null;
			tabLockPending = controller;
			window.navigator.locks
				.request( tabLockName( tab ), controller ? { signal: controller.signal } : {}, () => {
					if ( tabLockPending === controller ) {
						tabLockPending = null;
					}
					return new Promise( () => {} );
				} )
				.catch( () => {} );
		}

		function watchPeer( id ) {
			if ( 'locks' !== mode || ! leader || watched[ id ] || ! window.AbortController ) {
				return;
			}
			const controller = new window.AbortController();
			watched[ id ] = controller;
			window.navigator.locks
				.request( tabLockName( id ), { signal: controller.signal }, () => {
					if ( watched[ id ] === controller ) {
						delete watched[ id ];
						delete peers[ id ];
					}
				} )
				.catch( () => {
					if ( watched[ id ] === controller ) {
						delete watched[ id ];
					}
				} );
		}

		function unwatchPeers() {
			Object.keys( watched ).forEach( ( id ) => {
				const controller = watched[ id ];
				delete watched[ id ];
				controller.abort();
			} );
		}

		function becomeLeader( how ) {
			if ( leader ) {
				return;
			}
			leader = true;
			Object.keys( peers ).forEach( watchPeer );
			quietTicks = 0;
			backedOff = false;
			lastSent = '';
			applyInterval();
			post( { type: 'leader', tab, epoch, backedOff } );
			window.clearTimeout( takeoverTimer );
			if ( 'steal' === how || 'first' === how ) {
				// Where the user works: tick now if the last shared tick is older than an interval.
				if ( now() - lastShared >= baseInterval * 1000 || 'first' === how ) {
					tickNow();
				}
			} else {
				// The previous leader went away: tick at once, unless its next page (a navigation)
				// takes the lead back within a moment.
				takeoverTimer = window.setTimeout( () => {
					if ( leader ) {
						tickNow();
					}
				}, TAKEOVER_SETTLE_MS );
			}
		}

		function becomeFollower() {
			if ( ! leader ) {
				applyInterval();
				return;
			}
			leader = false;
			unwatchPeers();
			window.clearTimeout( takeoverTimer );
			backedOff = false;
			applyInterval();
			sendState( false );
		}

		/* Web Locks ------------------------------------------------------ */

		const lockName = 'wp-presence-leader-' + scope;

		function requestLock( steal ) {
			const controller = window.AbortController && ! steal ? new window.AbortController() : null;
			lockAbort = controller;
			const lockOptions = { mode: 'exclusive' };
			if ( steal ) {
				lockOptions.steal = true;
			} else if ( controller ) {
				lockOptions.signal = controller.signal;
			}
			let granted = false;
			window.navigator.locks
				.request( lockName, lockOptions, () => {
					granted = true;
					becomeLeader( steal ? 'steal' : ( settled ? 'takeover' : 'first' ) );
					// Held until the page goes away (or another tab steals it).
					return new Promise( () => {} );
				} )
				.catch( () => {
					if ( lockAbort === controller ) {
						lockAbort = null;
					}
					if ( granted ) {
						// Another tab stole it: follow, and queue again.
						becomeFollower();
						requestLock( false );
					} else if ( steal ) {
						requestLock( false ); // Stealing refused: queue like everyone else.
					}
					// Otherwise our queued request was withdrawn for a steal.
				} );
		}

		function stealLock() {
			if ( leader ) {
				return;
			}
			if ( lockAbort ) {
				const pending = lockAbort;
				lockAbort = null;
				pending.abort(); // Our queued request: the steal replaces it.
			}
			requestLock( true );
		}

		/* BroadcastChannel election (no Web Locks) ----------------------- */

		function claim( how ) {
			epoch = now();
			leaderTabId = tab;
			becomeLeader( how );
		}

		function scheduleClaim( delay ) {
			window.clearTimeout( claimTimer );
			claimTimer = window.setTimeout( () => {
				if ( ! leader && now() - leaderSeen > DEAD_MS - ALIVE_MS ) {
					claim( settled ? 'takeover' : 'first' );
				}
			}, delay );
		}

		function onLeaderMessage( from, message ) {
			leaderBackedOff = !! message.backedOff;
			if ( 'channel' !== mode ) {
				sendState( false ); // A new leader (lock): make sure it has us.
				return;
			}
			const theirs = Number( message.epoch ) || 0;
			if ( leader ) {
				// Two leaders: the later claim wins (a tab that gained focus claims anew).
				if ( theirs > epoch || ( theirs === epoch && from > tab ) ) {
					leaderTabId = from;
					leaderSeen = now();
					becomeFollower();
				} else {
					post( { type: 'leader', tab, epoch, backedOff } );
				}
				return;
			}
			if ( from !== leaderTabId ) {
				sendState( false );
			}
			leaderTabId = from;
			leaderSeen = now();
		}

		function channelTick() {
			if ( leader ) {
				post( { type: 'leader', tab, epoch, backedOff } );
			} else if ( now() - leaderSeen > DEAD_MS ) {
				scheduleClaim( Math.random() * 300 );
			}
		}

		/* -------------------------------------------------------------- *
		 * Start.
		 * -------------------------------------------------------------- */

		function focused() {
			return 'visible' === document.visibilityState && 'function' === typeof document.hasFocus && document.hasFocus();
		}

		function takeFocus() {
			if ( leader || ! focused() ) {
				return;
			}
			if ( 'locks' === mode ) {
				stealLock();
			} else if ( 'channel' === mode ) {
				claim( 'steal' );
			}
		}

		if ( 'function' === typeof window.BroadcastChannel ) {
			try {
				channel = new window.BroadcastChannel( 'wp-presence-tabs-' + scope );
				channel.onmessage = onMessage;
			} catch ( e ) {
				channel = null;
			}
		}
		window.setTimeout( () => {
			settled = true;
		}, 1000 );

		if ( ! channel ) {
			mode = 'solo';
			becomeLeader( 'first' );
		} else if ( window.navigator.locks && 'function' === typeof window.navigator.locks.request ) {
			mode = 'locks';
			holdTabLock(); // Before anyone hears of this tab (see watchPeer()).
			post( { type: 'hello' } );
			// A focused page leads at once (and ticks itself); another asks the leader to tick.
			sendState( ! focused() );
			requestLock( focused() );
		} else {
			mode = 'channel';
			post( { type: 'hello' } );
			sendState( ! focused() );
			if ( focused() ) {
				claim( 'first' );
			} else {
				scheduleClaim( 500 ); // Unless a leader answers the hello.
			}
			window.setInterval( channelTick, ALIVE_MS );
		}

		if ( channel ) {
			window.setInterval( () => {
				if ( ! leader ) {
					sendState( false );
				}
			}, STATE_REFRESH_MS );
			window.addEventListener( 'focus', takeFocus );
			document.addEventListener( 'visibilitychange', takeFocus );
		}
		applyInterval();

		/* -------------------------------------------------------------- *
		 * The controller.
		 * -------------------------------------------------------------- */

		/** The other tabs' states for the leader's tick (fresh ones only, at most maxTabs). */
		function peerStates() {
			const cutoff = now() - ( 'locks' === mode ? PEER_TTL_MS : CHANNEL_PEER_TTL_MS );
			const list = [];
			Object.keys( peers ).forEach( ( id ) => {
				if ( peers[ id ].at < cutoff ) {
					delete peers[ id ];
				} else if ( id !== tab && list.length < maxTabs ) {
					list.push( peers[ id ].state );
				}
			} );
			return list;
		}

		return {
			mode: () => mode,
			tab: () => tab,
			isLeader: () => leader,
			backedOff: () => backedOff,
			peerStates,

			/** This tab's ack (from its own tick or the leader's shared reply). */
			ack: () => ack,
			setAck( value ) {
				ack = 'string' === typeof value ? value : '';
			},

			/**
			 * This tab's state changed (activity, visibility): the leader ticks now, a follower
			 * tells the leader to.
			 */
			changed() {
				if ( leader ) {
					tickNow();
				} else {
					sendState( true );
				}
			},

			/** Input in this tab: an idle leader (this one or another) returns to its interval. */
			input() {
				if ( leader ) {
					if ( backedOff ) {
						setBackedOff( false );
						tickNow();
					}
				} else if ( leaderBackedOff ) {
					leaderBackedOff = false; // Once: the leader answers with a new `backoff`.
					post( { type: 'input' } );
				}
			},

			/**
			 * The leader's tick came back: share it, and count quiet ticks for the back-off.
			 *
			 * @param {Object} reply The `wp-presence` reply.
			 * @param {Object} sent  The payload that was sent.
			 */
			replied( reply, sent ) {
				lastShared = now();
				post( { type: 'reply', reply } );
				const states = JSON.stringify(
					[ [ sent.tab, sent.screen, sent.activity, sent.post_id ] ].concat(
						( sent.tabs || [] )
							.map( ( item ) => [ item.tab, item.screen, item.activity, item.post_id ] )
							.sort( ( a, b ) => ( a[ 0 ] < b[ 0 ] ? -1 : 1 ) )
					)
				);
				const quiet = ! reply.error && 0 === Object.keys( reply.rooms || {} ).length && ! reply.active_posts && states === lastSent;
				lastSent = states;
				if ( ! leader ) {
					return; // Stolen while the tick was out.
				}
				if ( ! quiet ) {
					setBackedOff( false );
				} else if ( ! backedOff && ++quietTicks >= idleTicks ) {
					setBackedOff( true );
				}
			},

			/** The page is being restored from the back/forward cache. */
			resumed() {
				ack = '';
				post( { type: 'hello' } );
				sendState( true );
			},

			/** `pagehide`: one beacon gives this tab's entries the grace; the other tabs forget it. */
			leave() {
				post( { type: 'bye' } );
				if ( ! settings.ajaxUrl || ! settings.leaveNonce || ! window.navigator.sendBeacon ) {
					return;
				}
				try {
					const body = new window.URLSearchParams();
					body.set( 'action', settings.leaveAction || 'wp_presence_leave' );
					body.set( '_ajax_nonce', settings.leaveNonce );
					body.set( 'tab', tab );
					window.navigator.sendBeacon( settings.ajaxUrl, body );
				} catch ( e ) {}
			},
		};
	}

	window.wpPresenceTabs = { start };
} )( window, document );
