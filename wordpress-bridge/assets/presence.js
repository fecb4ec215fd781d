/**
 * Presence: the browser side of the Heartbeat protocol (CONTRACT.md §3) and
 * the live admin UI (admin bar "N online", "Who's Online", "Active Posts",
 * the "Editors" column and the status picker).
 *
 * - Each tab has its own id (sessionStorage), so closing one tab of several
 *   does not take the user offline. One tab of the user leads and sends the
 *   state of every tab in its tick (`assets/presence-tabs.js`); the others
 *   render the replies it shares.
 * - Activity comes from keyboard, mouse, scroll and touch input and from the
 *   page's visibility: online, idle (no input for `idleAfter` seconds), away
 *   (no input for `awayAfter` seconds, or the tab hidden). A change is sent
 *   at once with `wp.heartbeat.connectNow()`.
 * - The script sends the room versions it has seen; the server leaves out
 *   rooms that did not change, and the script only redraws what changed.
 * - Pages and replies carry the first users and the total; "+N more" in
 *   "Who's Online" fetches the others from REST a page at a time.
 * - Everything from the server is inserted as text or as attributes through
 *   the DOM, never as HTML.
 * - Screen readers hear what concerns this page: someone starting or stopping
 *   to edit the post open here, and the user's own status.
 *
 * @package Presence
 */

/* global jQuery */
( function ( $, window, document ) {
	'use strict';

	const settings = window.wpPresenceSettings;
	const wp = window.wp;
	if ( ! settings || ! wp || ! wp.heartbeat || ! $ ) {
		return;
	}

	const i18n = wp.i18n || {};
	const __ = i18n.__ || ( ( text ) => text );
	const _n =
		i18n._n || ( ( single, plural, number ) => ( 1 === number ? single : plural ) );
	const sprintf =
		i18n.sprintf ||
		( ( format, ...args ) => {
			let index = 0;
			return format.replace( /%(\d+\$)?[sd]/g, ( match, position ) =>
				String( position ? args[ parseInt( position, 10 ) - 1 ] : args[ index++ ] )
			);
		} );

	const STATUSES = [ 'online', 'idle', 'away', 'dnd', 'invisible', 'offline' ];
	const userId = parseInt( settings.userId, 10 ) || 0;
	const idleAfter = Math.max( 1, parseInt( settings.idleAfter, 10 ) || 60 ) * 1000;
	const awayAfter = Math.max( idleAfter + 1000, ( parseInt( settings.awayAfter, 10 ) || 300 ) * 1000 );

	/* ------------------------------------------------------------------ *
	 * Small helpers.
	 * ------------------------------------------------------------------ */

	/**
	 * Creates an element. Attributes are set with setAttribute and children
	 * are nodes or strings (inserted as text), so data never becomes markup.
	 *
	 * @param {string}            tag      Tag name.
	 * @param {Object}            attrs    Attributes; null/false values are skipped.
	 * @param {Array|string|Node} children Children.
	 * @return {HTMLElement} The element.
	 */
	function el( tag, attrs, children ) {
		const node = document.createElement( tag );
		Object.keys( attrs || {} ).forEach( ( name ) => {
			const value = attrs[ name ];
			if ( null !== value && undefined !== value && false !== value ) {
				node.setAttribute( name, String( value ) );
			}
		} );
		append( node, children );
		return node;
	}

	function append( node, children ) {
		( Array.isArray( children ) ? children : [ children ] ).forEach( ( child ) => {
			if ( null === child || undefined === child || false === child || '' === child ) {
				return;
			}
			node.appendChild( 'object' === typeof child ? child : document.createTextNode( String( child ) ) );
		} );
		return node;
	}

	/**
	 * Only http(s) URLs (relative ones are resolved against the page) make it into href/src.
	 *
	 * @param {string} url Candidate URL.
	 * @return {string} The absolute URL, or ''.
	 */
	function safeUrl( url ) {
		if ( 'string' !== typeof url || '' === url ) {
			return '';
		}
		try {
			const parsed = new URL( url, window.location.href );
			return 'http:' === parsed.protocol || 'https:' === parsed.protocol ? parsed.href : '';
		} catch ( e ) {
			return '';
		}
	}

	function formatNumber( number ) {
		try {
			return Number( number ).toLocaleString( document.documentElement.lang || undefined );
		} catch ( e ) {
			return String( number );
		}
	}

	function statusOf( value ) {
		return -1 !== STATUSES.indexOf( value ) ? value : 'offline';
	}

	function statusLabel( status ) {
		const labels = settings.statusLabels || {};
		return labels[ status ] || status;
	}

	function normalizeRow( row ) {
		row = row && 'object' === typeof row ? row : {};
		const status = statusOf( row.status );
		return {
			user_id: parseInt( row.user_id, 10 ) || 0,
			display_name: 'string' === typeof row.display_name ? row.display_name : String( row.display_name || '' ),
			avatar_url: 'string' === typeof row.avatar_url ? row.avatar_url : '',
			status,
			status_label: 'string' === typeof row.status_label && row.status_label ? row.status_label : statusLabel( status ),
			screen: 'string' === typeof row.screen ? row.screen : '',
			screen_label: 'string' === typeof row.screen_label ? row.screen_label : '',
			post_id: parseInt( row.post_id, 10 ) || 0,
			title: 'string' === typeof row.title ? row.title : '',
			url: 'string' === typeof row.url ? row.url : '',
			updated: parseInt( row.updated, 10 ) || 0,
		};
	}

	/**
	 * Rebuilds a compact row of a `wp-presence` room reply (docs/CONTRACT.md §3 "Compact rows"):
	 * the avatar from the room's shared prefix and suffix, the screen's label and URL from the
	 * room's `screens`; `status_label` comes from statusLabel() in normalizeRow().
	 *
	 * @param {Object} row  Row as sent.
	 * @param {Object} room The room's reply.
	 * @return {Object} The row with avatar_url, screen_label and url.
	 */
	function expandRow( row, room ) {
		if ( ! row || 'object' !== typeof row || ! room || 'object' !== typeof room ) {
			return row;
		}
		const out = Object.assign( {}, row );
		const avatars = room.avatars && 'object' === typeof room.avatars ? room.avatars : null;
		if ( 'string' !== typeof out.avatar_url && 'string' === typeof out.avatar && avatars ) {
			out.avatar_url = String( avatars.prefix || '' ) + out.avatar + String( avatars.suffix || '' );
		}
		const screens = room.screens && 'object' === typeof room.screens ? room.screens : {};
		const known = 'string' === typeof out.screen && Object.prototype.hasOwnProperty.call( screens, out.screen ) ? screens[ out.screen ] : null;
		if ( known && 'object' === typeof known ) {
			if ( 'string' !== typeof out.screen_label ) {
				out.screen_label = known.label;
			}
			if ( 'string' !== typeof out.url && ! ( parseInt( out.post_id, 10 ) > 0 ) ) {
				out.url = known.url;
			}
		}
		return out;
	}

	function normalizePost( post ) {
		post = post && 'object' === typeof post ? post : {};
		return {
			post_id: parseInt( post.post_id, 10 ) || 0,
			title: 'string' === typeof post.title ? post.title : '',
			edit_url: 'string' === typeof post.edit_url ? post.edit_url : '',
			editors: Array.isArray( post.editors ) ? post.editors.map( normalizeRow ) : [],
		};
	}

	function signature( value ) {
		return JSON.stringify( value );
	}

	/* ------------------------------------------------------------------ *
	 * Activity: online → idle → away from input and visibility.
	 * ------------------------------------------------------------------ */

	let lastInput = Date.now();
	let activity = computeActivity();
	let activityTimer = 0;
	const watchedFrames = typeof WeakSet === 'function' ? new WeakSet() : null;

	function computeActivity() {
		if ( 'hidden' === document.visibilityState ) {
			return 'away';
		}
		const quiet = Date.now() - lastInput;
		if ( quiet >= awayAfter ) {
			return 'away';
		}
		return quiet >= idleAfter ? 'idle' : 'online';
	}

	function scheduleActivityCheck() {
		window.clearTimeout( activityTimer );
		activityTimer = 0;
		if ( 'hidden' === document.visibilityState ) {
			return;
		}
		const quiet = Date.now() - lastInput;
		let wait = null;
		if ( quiet < idleAfter ) {
			wait = idleAfter - quiet;
		} else if ( quiet < awayAfter ) {
			wait = awayAfter - quiet;
		}
		if ( null !== wait ) {
			activityTimer = window.setTimeout( updateActivity, wait + 50 );
		}
	}

	function updateActivity() {
		watchFrames();
		const next = computeActivity();
		scheduleActivityCheck();
		if ( next !== activity ) {
			activity = next;
			renderSelf();
			tabs.changed();
		}
	}

	function onInput() {
		lastInput = Date.now();
		tabs.input();
		if ( 'online' !== activity ) {
			updateActivity();
		} else if ( ! activityTimer ) {
			scheduleActivityCheck();
		}
	}

	const INPUT_EVENTS = [ 'keydown', 'mousedown', 'mousemove', 'pointerdown', 'wheel', 'touchstart', 'scroll' ];

	function watch( target ) {
		INPUT_EVENTS.forEach( ( type ) => {
			target.addEventListener( type, onInput, { capture: true, passive: true } );
		} );
	}

	// The block editor types into an iframe: watch same-origin frames too.
	function watchFrames() {
		if ( ! watchedFrames ) {
			return;
		}
		Array.prototype.forEach.call( document.querySelectorAll( 'iframe' ), ( frame ) => {
			try {
				const frameDocument = frame.contentDocument;
				if ( frameDocument && ! watchedFrames.has( frameDocument ) ) {
					watchedFrames.add( frameDocument );
					watch( frameDocument );
				}
			} catch ( e ) {}
		} );
	}

	watch( document );
	document.addEventListener( 'visibilitychange', () => {
		if ( 'visible' === document.visibilityState ) {
			// Coming back to a tab is activity.
			lastInput = Date.now();
			tabs.input();
			updateActivity();
			tabs.changed();
		} else {
			updateActivity();
		}
	} );

	/* ------------------------------------------------------------------ *
	 * State from the server.
	 * ------------------------------------------------------------------ */

	let seen = {};
	let postsVersion = null;
	let self = {
		status: statusOf( settings.self && settings.self.status ),
		preference: ( settings.self && settings.self.preference ) || '',
	};
	const initial = settings.initial || {};
	let others = Array.isArray( initial.users ) ? initial.users.map( normalizeRow ) : [];
	let othersSignature = signature( others );
	// How many other users are online: the page and the replies carry only the first rows it shows.
	let othersTotal = Math.max( others.length, parseInt( initial.total, 10 ) || 0 );
	/**
	 * The list "+N more" opens when the replies do not carry every user (renderOnlineWidget()).
	 * It is one node, kept across redraws (open or closed, with what it loaded and where the
	 * focus was), and filled from `GET /wp-presence/v1/presence?group=user` (one row per user,
	 * by name: pages do not shift while users refresh). Rows a reply carries are redrawn in place.
	 */
	const ALL_ID = 'wp-presence-online-all';
	const ALL_PER_PAGE = 50;
	let allList = freshAllList();
	let posts = Array.isArray( initial.posts ) ? initial.posts.map( normalizePost ) : null;
	let postsSignature = signature( posts );
	let postsFromServer = false;

	/** This tab's state, as the leader reports it for every tab. */
	function tabState() {
		const state = {
			screen: String( settings.screen || '' ),
			activity,
		};
		// Only a post being edited: the bridge counts a tab with a post_id as one of its editors,
		// so a front-end reader of the post must not send it.
		if ( settings.postId && ! settings.isFront ) {
			state.post_id = parseInt( settings.postId, 10 );
		}
		return state;
	}

	/** Stands in for presence-tabs.js if it did not load: this tab leads itself. */
	function soloTabs() {
		let soloAck = '';
		let soloTab = '';
		try {
			soloTab = window.sessionStorage.getItem( 'wpPresenceTab' ) || '';
		} catch ( e ) {}
		if ( ! /^[a-z0-9]{8,16}$/.test( soloTab ) ) {
			soloTab = Math.random().toString( 36 ).slice( 2, 14 ).padEnd( 8, '0' );
			try {
				window.sessionStorage.setItem( 'wpPresenceTab', soloTab );
			} catch ( e ) {}
		}
		return {
			mode: () => 'solo',
			tab: () => soloTab,
			isLeader: () => true,
			backedOff: () => false,
			peerStates: () => [],
			ack: () => soloAck,
			setAck: ( value ) => {
				soloAck = 'string' === typeof value ? value : '';
			},
			changed: () => wp.heartbeat.connectNow(),
			input: () => {},
			replied: () => {},
			resumed: () => {
				soloAck = '';
			},
			leave: () => {},
		};
	}

	const tabs = window.wpPresenceTabs
		? window.wpPresenceTabs.start( {
				heartbeat: wp.heartbeat,
				settings: window.wpPresenceTabsSettings || {},
				state: tabState,
				onReply: ( reply ) => applyReply( reply, false ),
				// Editor screens keep core's interval for post locks and autosave.
				keepInterval: !! settings.postRoom || 'customize' === settings.screen,
		  } )
		: soloTabs();
	let lastPayload = null;

	$( document ).on( 'heartbeat-send.wp-presence', ( event, data ) => {
		lastPayload = null;
		if ( ! tabs.isLeader() ) {
			return; // The leader reports this tab.
		}
		// delta: this script applies changes since the versions it has (docs/CONTRACT.md §3).
		const payload = Object.assign( { tab: tabs.tab() }, tabState(), { seen, delta: 1 } );
		if ( settings.isFront ) {
			payload.title = String( document.title || '' ).slice( 0, 200 );
		}
		if ( tabs.ack() ) {
			payload.ack = tabs.ack();
		}
		if ( null !== postsVersion ) {
			// The active-posts view's version travels with the rooms' versions (the bridge
			// reads seen.active_posts); seen_active_posts is the same value for older servers.
			payload.seen = Object.assign( {}, seen, { active_posts: postsVersion } );
			payload.seen_active_posts = postsVersion;
		}
		const others = tabs.peerStates();
		if ( others.length ) {
			payload.tabs = others;
		}
		data[ 'wp-presence' ] = payload;
		lastPayload = payload;
	} );

	$( document ).on( 'heartbeat-tick.wp-presence', ( event, data ) => {
		const reply = data && data[ 'wp-presence' ];
		if ( ! reply || 'object' !== typeof reply ) {
			return;
		}
		applyReply( reply, true );
		tabs.replied( reply, lastPayload || {} );
	} );

	/**
	 * Applies a reply: this tab's own (own = true) or one the leader shared.
	 *
	 * @param {Object}  reply The `wp-presence` reply.
	 * @param {boolean} own   Whether this tab sent the tick.
	 */
	function applyReply( reply, own ) {
		if ( own && 'string' === typeof reply.ack ) {
			tabs.setAck( reply.ack );
		}
		if ( reply.self && 'object' === typeof reply.self ) {
			applySelf( reply.self );
		}
		const rooms = reply.rooms && 'object' === typeof reply.rooms ? reply.rooms : {};
		Object.keys( rooms ).forEach( ( room ) => {
			if ( rooms[ room ] && undefined !== rooms[ room ].version ) {
				seen[ room ] = rooms[ room ].version;
			}
		} );
		const online = rooms[ settings.adminRoom ];
		if ( online && Array.isArray( online.users ) ) {
			applyOnline( online );
		}
		const active = reply.active_posts;
		if ( active && 'object' === typeof active && Array.isArray( active.posts ) ) {
			postsVersion = undefined !== active.version ? active.version : null;
			postsFromServer = true;
			setPosts( active.posts.map( normalizePost ).filter( ( post ) => post.post_id ) );
		}
	}

	/* ------------------------------------------------------------------ *
	 * Rendering (only when something changed).
	 * ------------------------------------------------------------------ */

	/**
	 * Applies the admin room of a reply: the first rows and the total, or (`changes`) the users
	 * who changed and the ids of those who left since the version this tab had. Changed users
	 * replace what the tab holds of them; the list stays in display order (most recent first)
	 * and as long as the server's bound.
	 *
	 * @param {Object} online The room's reply.
	 */
	function applyOnline( online ) {
		const rows = online.users.map( ( row ) => normalizeRow( expandRow( row, online ) ) ).filter( ( row ) => row.user_id );
		const selfIn = rows.some( ( row ) => row.user_id === userId );
		const mine = rows.filter( ( row ) => row.user_id !== userId );
		let next = mine;
		if ( true === online.changes ) {
			const drop = {};
			( Array.isArray( online.left ) ? online.left : [] ).concat( mine.map( ( row ) => row.user_id ) ).forEach( ( id ) => {
				drop[ parseInt( id, 10 ) || 0 ] = true;
			} );
			next = others.filter( ( row ) => ! drop[ row.user_id ] ).concat( mine );
			next.sort( ( a, b ) => b.updated - a.updated );
		}
		const limit = parseInt( online.limit, 10 ) || 0;
		if ( limit && next.length > limit ) {
			next.length = limit;
		}
		const total = parseInt( online.total, 10 );
		// The total counts this user too while they are in the room (a tick always puts them there).
		const nextTotal = isNaN( total ) ? next.length : Math.max( next.length, total - ( selfIn || true === online.changes ? 1 : 0 ) );
		setOthers( next, nextTotal );
	}

	function setOthers( next, total ) {
		const nextSignature = signature( next );
		const nextTotal = 'number' === typeof total ? total : next.length;
		if ( nextSignature === othersSignature && nextTotal === othersTotal ) {
			return;
		}
		othersTotal = nextTotal;
		announceChanges( others, next );
		others = next;
		othersSignature = nextSignature;
		renderAdminBar();
		renderOnlineWidget();
		if ( ! postsFromServer ) {
			renderEditorsColumnFromUsers();
		}
	}

	function setPosts( next ) {
		const nextSignature = signature( next );
		if ( nextSignature === postsSignature ) {
			return;
		}
		posts = next;
		postsSignature = nextSignature;
		renderActivePostsWidget();
		renderEditorsColumn( editorsByPost( posts ) );
	}

	function statusNode( status, label ) {
		status = statusOf( status );
		return el( 'span', { class: 'wp-presence-status wp-presence-status--' + status, 'data-status': status }, [
			el( 'span', { class: 'wp-presence-dot', 'aria-hidden': 'true' } ),
			el( 'span', { class: 'wp-presence-status__label' }, label || statusLabel( status ) ),
		] );
	}

	function avatarNode( row, size ) {
		/* translators: 1: user display name, 2: status label, for example "Ada: Online". */
		const name = sprintf( __( '%1$s: %2$s', 'presence' ), row.display_name, row.status_label );
		const src = safeUrl( row.avatar_url );
		const image = src
			? el( 'img', {
					class: 'wp-presence-avatar__img',
					src,
					alt: '',
					width: size,
					height: size,
					loading: 'lazy',
					decoding: 'async',
			  } )
			: el( 'span', { class: 'wp-presence-avatar__img wp-presence-avatar__img--blank', 'aria-hidden': 'true' } );
		return el(
			'span',
			// data-display-name: the avatar fallback draws initials from it (the title also holds the status).
			{ class: 'wp-presence-avatar wp-presence-avatar--' + size, 'data-user-id': row.user_id, 'data-display-name': row.display_name || null, title: name },
			[
				image,
				el( 'span', {
					class: 'wp-presence-dot wp-presence-dot--' + row.status,
					'data-status': row.status,
					role: 'img',
					'aria-label': name,
					title: name,
				} ),
			]
		);
	}

	/**
	 * A stack of avatars, at most `max`, then "+N".
	 *
	 * @param {Array}    rows   Rows.
	 * @param {number}   max    Avatars to show.
	 * @param {number}   size   Pixel size.
	 * @param {number}   total  How many users the stack stands for (rows may be the first only).
	 * @param {Function} onMore When given, "+N" is a button that calls it with the button.
	 * @return {HTMLElement} The stack.
	 */
	function stackNode( rows, max, size, total, onMore ) {
		const shown = rows.slice( 0, max );
		const node = el( 'span', { class: 'wp-presence-stack' }, shown.map( ( row ) => avatarNode( row, size ) ) );
		const all = 'number' === typeof total ? Math.max( total, rows.length ) : rows.length;
		if ( all > shown.length ) {
			/* translators: %s: number of users not shown. */
			const text = sprintf( __( '+%s', 'presence' ), formatNumber( all - shown.length ) );
			if ( 'function' === typeof onMore ) {
				const button = el(
					'button',
					{
						type: 'button',
						class: 'wp-presence-stack__more button-link',
						'aria-controls': ALL_ID,
						'aria-expanded': allList.node && allList.node.open ? 'true' : 'false',
					},
					text
				);
				button.addEventListener( 'click', () => onMore( button ) );
				append( node, button );
			} else {
				append( node, el( 'span', { class: 'wp-presence-stack__more' }, text ) );
			}
		}
		return node;
	}

	function where( row ) {
		return row.title || row.screen_label;
	}

	function userRowNode( row ) {
		const text = where( row );
		const url = safeUrl( row.url );
		let whereNode = null;
		if ( text ) {
			whereNode = url
				? el( 'a', { class: 'wp-presence-row__where', href: url }, text )
				: el( 'span', { class: 'wp-presence-row__where' }, text );
		}
		return el( 'li', { class: 'wp-presence-row', 'data-user-id': row.user_id }, [
			avatarNode( row, 32 ),
			el( 'span', { class: 'wp-presence-row__text' }, [
				el( 'span', { class: 'wp-presence-row__name' }, row.display_name ),
				whereNode,
			] ),
			statusNode( row.status, row.status_label ),
		] );
	}

	function replaceChildren( parent, nodes ) {
		while ( parent.firstChild ) {
			parent.removeChild( parent.firstChild );
		}
		append( parent, nodes );
	}

	/* Admin bar ---------------------------------------------------------- */

	function isHere( row ) {
		const postId = parseInt( settings.postId, 10 ) || 0;
		if ( postId || row.post_id ) {
			return row.post_id === postId && row.screen === settings.screen;
		}
		return '' !== row.screen && row.screen === settings.screen && 'front' !== row.screen;
	}

	function adminBarUserNode( group, row ) {
		const text = where( row );
		const url = safeUrl( row.url );
		const inner = [
			avatarNode( row, 20 ),
			el( 'span', { class: 'wp-presence-ab-name' }, row.display_name ),
			text ? el( 'span', { class: 'wp-presence-ab-where' }, text ) : null,
			statusNode( row.status, row.status_label ),
		];
		const item = url
			? el( 'a', { class: 'ab-item', role: 'menuitem', href: url }, inner )
			: el( 'div', { class: 'ab-item ab-empty-item', role: 'menuitem' }, inner );
		return el(
			'li',
			{ role: 'group', id: 'wp-admin-bar-wp-presence-' + group + '-user-' + row.user_id, class: 'wp-presence-ab-user' },
			item
		);
	}

	/**
	 * Fills one group of the dropdown ("On this page", "Elsewhere").
	 *
	 * @param {string} group     'here' or 'elsewhere'.
	 * @param {Array}  rows      Rows.
	 * @param {string} emptyText Shown when there is nobody ('' for nothing).
	 * @param {number} more      Users not listed (beyond the replies' rows): a "+N more" item.
	 */
	function fillAdminBarGroup( group, rows, emptyText, more ) {
		const list = document.getElementById( 'wp-admin-bar-wp-presence-' + group );
		if ( ! list ) {
			return;
		}
		Array.prototype.slice.call( list.children ).forEach( ( child ) => {
			if ( child.id !== 'wp-admin-bar-wp-presence-' + group + '-heading' ) {
				list.removeChild( child );
			}
		} );
		if ( more > 0 ) {
			const url = safeUrl( settings.onlineUrl );
			/* translators: %s: number of further users. */
			const text = el( 'span', { class: 'wp-presence-ab-more' }, sprintf( __( '+%s more', 'presence' ), formatNumber( more ) ) );
			append( list, rows.map( ( row ) => adminBarUserNode( group, row ) ) );
			append(
				list,
				el(
					'li',
					{ role: 'group', id: 'wp-admin-bar-wp-presence-' + group + '-more', class: 'wp-presence-ab-more-item' },
					url
						? el( 'a', { class: 'ab-item', role: 'menuitem', href: url }, text )
						: el( 'div', { class: 'ab-item ab-empty-item', role: 'menuitem' }, text )
				)
			);
			return;
		}
		if ( ! rows.length ) {
			append(
				list,
				el( 'li', { role: 'group', id: 'wp-admin-bar-wp-presence-' + group + '-empty', class: 'wp-presence-ab-empty-item' },
					el( 'div', { class: 'ab-item ab-empty-item', role: 'menuitem' },
						el( 'span', { class: 'wp-presence-ab-empty' }, emptyText )
					)
				)
			);
			return;
		}
		append( list, rows.map( ( row ) => adminBarUserNode( group, row ) ) );
	}

	function renderAdminBar() {
		const node = document.getElementById( 'wp-admin-bar-wp-presence' );
		if ( ! node ) {
			return;
		}
		const top = node.querySelector( ':scope > .ab-item' );
		if ( top ) {
			const count = top.querySelector( '.wp-presence-ab-count' );
			if ( count ) {
				const total = othersTotal + 1;
				/* translators: %s: number of users online. */
				count.textContent = sprintf( _n( '%s online', '%s online', total, 'presence' ), formatNumber( total ) );
			}
			const stack = top.querySelector( '.wp-presence-stack' );
			if ( stack ) {
				stack.parentNode.replaceChild( stackNode( others, 10, 20, othersTotal ), stack );
			}
		}
		fillAdminBarGroup( 'here', others.filter( isHere ), __( 'Nobody else is on this page.', 'presence' ), 0 );
		fillAdminBarGroup(
			'elsewhere',
			others.filter( ( row ) => ! isHere( row ) ),
			__( 'Nobody else is online.', 'presence' ),
			othersTotal - others.length
		);
	}

	/* Status picker ------------------------------------------------------ */

	// The server combines all of the user's tabs (online in any tab means online), so its word
	// wins once a reply came; until then, this tab's own activity.
	let selfFromServer = false;

	function shownSelfStatus() {
		if ( selfFromServer && 'offline' !== self.status ) {
			return self.status;
		}
		if ( 'invisible' === self.preference ) {
			return 'invisible';
		}
		if ( 'dnd' === self.preference ) {
			return 'dnd';
		}
		return activity;
	}

	function renderSelf() {
		const holder = document.getElementById( 'wp-admin-bar-wp-presence-you-status' );
		if ( holder ) {
			const old = holder.querySelector( '.wp-presence-status' );
			const status = shownSelfStatus();
			if ( old && old.getAttribute( 'data-status' ) !== status ) {
				old.parentNode.replaceChild( statusNode( status ), old );
			}
		}
		( settings.preferences || [] ).forEach( ( preference ) => {
			const item = document.getElementById( 'wp-admin-bar-wp-presence-pref-' + ( preference.value || 'auto' ) );
			if ( ! item ) {
				return;
			}
			const current = preference.value === self.preference;
			item.classList.toggle( 'wp-presence-pref--current', current );
			const check = item.querySelector( '.wp-presence-check' );
			if ( check ) {
				check.textContent = current ? '\u2713' : '';
			}
			const link = item.querySelector( '.ab-item' );
			if ( link ) {
				let note = link.querySelector( '.screen-reader-text' );
				if ( current && ! note ) {
					append( link, el( 'span', { class: 'screen-reader-text' }, ' ' + __( '(current)', 'presence' ) ) );
				} else if ( ! current && note ) {
					link.removeChild( note );
				}
			}
		} );
	}

	function applySelf( next ) {
		const preference = -1 !== [ '', 'dnd', 'invisible' ].indexOf( next.preference ) ? next.preference : self.preference;
		const status = statusOf( next.status );
		const first = ! selfFromServer;
		selfFromServer = true;
		if ( ! first && preference === self.preference && status === self.status ) {
			return;
		}
		const picked = ! first && preference !== self.preference; // In another tab.
		self = { status, preference };
		renderSelf();
		if ( picked ) {
			announceSelf();
		}
	}

	$( document ).on( 'click.wp-presence', '#wp-admin-bar-wp-presence-you .wp-presence-pref > a', function ( event ) {
		const id = this.parentNode.id.replace( 'wp-admin-bar-wp-presence-pref-', '' );
		const preference = 'auto' === id ? '' : id;
		if ( ! window.fetch || ! window.FormData ) {
			return; // Follow the nonce'd link instead.
		}
		event.preventDefault();
		const href = this.href;
		const body = new window.FormData();
		body.append( 'action', 'wp_presence_status' );
		body.append( 'preference', preference || 'auto' );
		body.append( '_ajax_nonce', settings.statusNonce );
		window
			.fetch( settings.ajaxUrl, { method: 'POST', body, credentials: 'same-origin' } )
			.then( ( response ) => response.json() )
			.then( ( json ) => {
				if ( ! json || ! json.success ) {
					throw new Error( 'refused' );
				}
				self.preference = json.data.preference;
				self.status = statusOf( json.data.status );
				renderSelf();
				announceSelf();
				tabs.setAck( '' );
				tabs.changed();
			} )
			.catch( () => {
				window.location.href = href;
			} );
	} );

	/* Dashboard widgets -------------------------------------------------- */

	function renderOnlineWidget() {
		const widget = document.querySelector( '[data-wp-presence-widget="online"] .wp-presence-body' );
		if ( ! widget ) {
			return;
		}
		const count = othersTotal;
		if ( ! count ) {
			resetAllList();
			replaceChildren( widget, el( 'p', { class: 'wp-presence-empty' }, __( 'Nobody else is online right now.', 'presence' ) ) );
			return;
		}
		const nodes = [
			el(
				'p',
				{ class: 'wp-presence-summary' },
				/* translators: %s: number of other users online. */
				sprintf( _n( '%s other user online', '%s other users online', count, 'presence' ), formatNumber( count ) )
			),
		];
		const url = safeUrl( settings.onlineUrl );
		const allLink = url ? el( 'p', { class: 'wp-presence-all' }, el( 'a', { href: url }, __( 'View all online users', 'presence' ) ) ) : null;
		const stackAfter = parseInt( settings.stackAfter, 10 ) || 20;
		if ( count > stackAfter ) {
			const shown = Math.min( stackAfter, others.length );
			nodes.push( stackNode( others, stackAfter, 32, count, openAllList ) );
			nodes.push( allListNode( count - shown ) );
			nodes.push( allLink );
			replaceWidget( widget, nodes );
			return;
		}
		const full = parseInt( settings.fullRows, 10 ) || 3;
		nodes.push( el( 'ul', { class: 'wp-presence-list' }, others.slice( 0, full ).map( userRowNode ) ) );
		if ( others.length < count ) {
			// A `wp_presence_heartbeat_rows` bound below the widget's list: "+N more" pages over REST.
			nodes.push( allListNode( count - Math.min( full, others.length ) ) );
			nodes.push( allLink );
			replaceWidget( widget, nodes );
			return;
		}
		resetAllList();
		const rest = others.slice( full );
		if ( rest.length ) {
			const wasOpen = !! widget.querySelector( 'details.wp-presence-more[open]' );
			nodes.push(
				el( 'details', { class: 'wp-presence-more', open: wasOpen ? '' : null }, [
					/* translators: %s: number of further users. */
					el( 'summary', {}, sprintf( __( '+%s more', 'presence' ), formatNumber( rest.length ) ) ),
					el( 'ul', { class: 'wp-presence-list' }, rest.map( userRowNode ) ),
				] )
			);
		}
		replaceChildren( widget, nodes );
	}

	/* "+N more" over REST: every other user, a page at a time ------------ */

	function freshAllList() {
		return { node: null, summary: null, list: null, more: null, error: null, rows: {}, listed: 0, page: 0, pages: 1, loading: false, run: 0 };
	}

	function resetAllList() {
		allList.run++; // A page still on its way is dropped.
		allList = freshAllList();
	}

	/**
	 * The kept "+N more" node, its label brought up to date.
	 *
	 * @param {number} more Users beyond those the widget shows.
	 * @return {HTMLElement} The `<details>`.
	 */
	function allListNode( more ) {
		/* translators: %s: number of further users. */
		const label = sprintf( __( '+%s more', 'presence' ), formatNumber( more ) );
		if ( allList.node ) {
			allList.summary.textContent = label;
			refreshAllList();
			return allList.node;
		}
		allList.summary = el( 'summary', {}, label );
		allList.list = el( 'ul', { class: 'wp-presence-list' } );
		allList.error = el( 'p', { class: 'wp-presence-more__error', hidden: '' } );
		allList.more = el( 'button', { type: 'button', class: 'button wp-presence-more__load', hidden: '' }, __( 'Load more', 'presence' ) );
		allList.more.addEventListener( 'click', loadAllListPage );
		allList.node = el( 'details', { class: 'wp-presence-more wp-presence-more--paged', id: ALL_ID }, [
			allList.summary,
			allList.list,
			allList.error,
			el( 'p', { class: 'wp-presence-more__actions' }, allList.more ),
		] );
		const node = allList.node;
		node.addEventListener( 'toggle', () => {
			if ( node !== allList.node ) {
				return;
			}
			const stackMore = document.querySelector( '[data-wp-presence-widget="online"] button.wp-presence-stack__more' );
			if ( stackMore ) {
				stackMore.setAttribute( 'aria-expanded', node.open ? 'true' : 'false' );
			}
			if ( ! node.open ) {
				// Kept while open; closed, it is let go, so opening it again lists who is online then.
				clearAllList();
			} else if ( 0 === allList.page && ! allList.loading ) {
				loadAllListPage();
			}
		} );
		return node;
	}

	/** Empties the kept list (its node stays): the next opening starts again from page 1. */
	function clearAllList() {
		const state = allList;
		state.run++; // A page still on its way is dropped.
		state.rows = {};
		state.listed = 0;
		state.page = 0;
		state.pages = 1;
		state.loading = false;
		replaceChildren( state.list, [] );
		state.error.hidden = true;
		state.more.hidden = true;
		state.more.disabled = false;
		state.more.removeAttribute( 'aria-busy' );
		state.more.textContent = __( 'Load more', 'presence' );
	}

	/** The stack's "+N": opens the list and moves the focus to it. */
	function openAllList() {
		if ( ! allList.node ) {
			return;
		}
		allList.node.open = true;
		allList.summary.focus();
	}

	/** Fetches the next page of users and appends those not listed yet (not this user). */
	function loadAllListPage() {
		if ( allList.loading || ! window.fetch || ! settings.restUrl ) {
			return;
		}
		const state = allList;
		const run = state.run;
		let url;
		try {
			url = new URL( settings.restUrl, window.location.href );
		} catch ( e ) {
			return;
		}
		// searchParams: restUrl may already carry a query (?rest_route= without pretty permalinks).
		url.searchParams.set( 'room', settings.adminRoom );
		url.searchParams.set( 'group', 'user' );
		url.searchParams.set( 'per_page', String( ALL_PER_PAGE ) );
		url.searchParams.set( 'page', String( state.page + 1 ) );
		state.loading = true;
		state.more.disabled = true;
		state.more.setAttribute( 'aria-busy', 'true' );
		window
			.fetch( url.href, { credentials: 'same-origin', headers: { 'X-WP-Nonce': settings.restNonce || '', Accept: 'application/json' } } )
			.then( ( response ) => {
				if ( ! response.ok ) {
					throw new Error( String( response.status ) );
				}
				return response.json().then( ( items ) => ( { items, pages: parseInt( response.headers.get( 'X-WP-TotalPages' ), 10 ) } ) );
			} )
			.then( ( { items, pages } ) => {
				if ( run !== state.run ) {
					return;
				}
				state.page++;
				state.pages = isNaN( pages ) ? state.page : pages;
				const nodes = [];
				( Array.isArray( items ) ? items : [] ).forEach( ( item ) => {
					const row = normalizeRow( item );
					// A user moving between pages while they load is listed once.
					if ( ! row.user_id || row.user_id === userId || state.rows[ row.user_id ] ) {
						return;
					}
					state.rows[ row.user_id ] = true;
					state.listed++;
					const live = liveRow( row );
					const node = userRowNode( live );
					node.setAttribute( 'data-signature', signature( live ) );
					nodes.push( node );
				} );
				append( state.list, nodes );
				state.error.hidden = true;
				finishAllListLoad( state );
			} )
			.catch( () => {
				if ( run !== state.run ) {
					return;
				}
				state.error.textContent = __( 'The list of online users could not be loaded.', 'presence' );
				state.error.hidden = false;
				finishAllListLoad( state );
			} );
	}

	function finishAllListLoad( state ) {
		state.loading = false;
		state.more.disabled = false;
		state.more.removeAttribute( 'aria-busy' );
		const done = state.page >= state.pages && state.error.hidden;
		const hadFocus = document.activeElement === state.more;
		state.more.hidden = done;
		state.more.textContent = 0 === state.page ? __( 'Try again', 'presence' ) : __( 'Load more', 'presence' );
		if ( done && hadFocus ) {
			state.summary.focus(); // The button is gone: keep the focus in the widget.
		}
	}

	/** A listed user's row as the latest reply has it, when the reply carries them. */
	function liveRow( row ) {
		const fresh = others.find( ( other ) => other.user_id === row.user_id );
		return fresh || row;
	}

	/** Redraws the listed users that the latest reply carries (a status, a screen changed). */
	function refreshAllList() {
		if ( ! allList.list ) {
			return;
		}
		others.forEach( ( row ) => {
			if ( ! allList.rows[ row.user_id ] ) {
				return;
			}
			const old = allList.list.querySelector( ':scope > li[data-user-id="' + row.user_id + '"]' );
			if ( old && old.getAttribute( 'data-signature' ) !== signature( row ) ) {
				const next = userRowNode( row );
				next.setAttribute( 'data-signature', signature( row ) );
				old.parentNode.replaceChild( next, old );
			}
		} );
	}

	/** replaceChildren() that gives the focus back when it was inside the kept "+N more" list. */
	function replaceWidget( widget, nodes ) {
		const active = document.activeElement;
		const kept = allList.node && active && allList.node.contains( active ) ? active : null;
		replaceChildren( widget, nodes );
		if ( kept && kept.isConnected ) {
			kept.focus();
		}
	}

	function renderActivePostsWidget() {
		const widget = document.querySelector( '[data-wp-presence-widget="active-posts"] .wp-presence-body' );
		if ( ! widget || ! posts ) {
			return;
		}
		if ( ! posts.length ) {
			replaceChildren( widget, el( 'p', { class: 'wp-presence-empty' }, __( 'No posts are being edited right now.', 'presence' ) ) );
			return;
		}
		replaceChildren(
			widget,
			el(
				'ul',
				{ class: 'wp-presence-posts' },
				posts.map( ( post ) => {
					const title = post.title || __( '(no title)', 'presence' );
					const url = safeUrl( post.edit_url );
					return el( 'li', { class: 'wp-presence-post', 'data-post-id': post.post_id }, [
						url
							? el( 'a', { class: 'wp-presence-post__title', href: url }, title )
							: el( 'span', { class: 'wp-presence-post__title' }, title ),
						el(
							'span',
							{ class: 'wp-presence-post__count' },
							/* translators: %s: number of users editing the post. */
							sprintf( _n( '%s editor', '%s editors', post.editors.length, 'presence' ), formatNumber( post.editors.length ) )
						),
						stackNode( post.editors, 5, 24 ),
						el(
							'ul',
							{ class: 'wp-presence-editors' },
							post.editors.map( ( editor ) =>
								el( 'li', { class: 'wp-presence-editor', 'data-user-id': editor.user_id }, [
									el( 'span', { class: 'wp-presence-editor__name' }, editor.display_name ),
									' ',
									statusNode( editor.status, editor.status_label ),
								] )
							)
						),
					] );
				} )
			)
		);
	}

	/* "Editors" column ---------------------------------------------------- */

	function editorsByPost( list ) {
		const map = {};
		( list || [] ).forEach( ( post ) => {
			map[ post.post_id ] = post.editors;
		} );
		return map;
	}

	// Without active_posts in the reply (posts lists), the users' rows say which post each is editing.
	function renderEditorsColumnFromUsers() {
		const map = {};
		others.forEach( ( row ) => {
			if ( row.post_id && 'front' !== row.screen ) {
				( map[ row.post_id ] = map[ row.post_id ] || [] ).push( row );
			}
		} );
		renderEditorsColumn( map );
	}

	function renderEditorsColumn( map ) {
		const cells = document.querySelectorAll( '.wp-presence-editors-cell[data-post-id]' );
		Array.prototype.forEach.call( cells, ( cell ) => {
			const editors = map[ parseInt( cell.getAttribute( 'data-post-id' ), 10 ) ] || [];
			const nextSignature = signature( editors );
			if ( cell.getAttribute( 'data-signature' ) === nextSignature ) {
				return;
			}
			cell.setAttribute( 'data-signature', nextSignature );
			if ( ! editors.length ) {
				replaceChildren( cell, [
					el( 'span', { 'aria-hidden': 'true' }, '\u2014' ),
					el( 'span', { class: 'screen-reader-text' }, __( 'Nobody is editing', 'presence' ) ),
				] );
				return;
			}
			const names = editors.map( ( editor ) =>
				/* translators: 1: user display name, 2: status label. */
				sprintf( __( '%1$s (%2$s)', 'presence' ), editor.display_name, editor.status_label )
			);
			replaceChildren( cell, [
				stackNode( editors, 5, 24 ),
				/* translators: %s: comma separated list of users and their status. */
				el( 'span', { class: 'screen-reader-text' }, sprintf( __( 'Being edited by %s', 'presence' ), names.join( ', ' ) ) ),
			] );
		} );
	}

	/* Announcements for screen readers (polite) ------------------------- */

	let liveRegion = null;

	function announce( message ) {
		if ( ! message ) {
			return;
		}
		if ( ! liveRegion ) {
			liveRegion = document.querySelector( '[data-wp-presence-widget="online"] .wp-presence-announce' );
			if ( ! liveRegion ) {
				// Pages without the widget get their own polite live region.
				liveRegion = el( 'p', {
					id: 'wp-presence-announce',
					class: 'screen-reader-text',
					'aria-live': 'polite',
					'aria-atomic': 'true',
				} );
				document.body.appendChild( liveRegion );
			}
		}
		liveRegion.textContent = message;
	}

	function announceSelf() {
		/* translators: %s: status label. */
		announce( sprintf( __( 'Your status is now: %s', 'presence' ), statusLabel( shownSelfStatus() ) ) );
	}

	/**
	 * Only what concerns this page is announced: in the editor of a post, who starts or stops
	 * editing it (as "On this page" shows them). Others coming, going or changing status
	 * elsewhere are not read out.
	 *
	 * @param {Array} before Rows before.
	 * @param {Array} after  Rows after.
	 */
	function announceChanges( before, after ) {
		const postId = parseInt( settings.postId, 10 ) || 0;
		if ( ! postId || settings.isFront ) {
			return;
		}
		const editing = ( rows ) => {
			const map = {};
			rows.forEach( ( row ) => {
				if ( row.post_id === postId ) {
					map[ row.user_id ] = row;
				}
			} );
			return map;
		};
		const was = editing( before );
		const is = editing( after );
		const messages = [];
		Object.keys( is ).forEach( ( id ) => {
			if ( ! was[ id ] ) {
				/* translators: %s: user display name. */
				messages.push( sprintf( __( '%s started editing this post.', 'presence' ), is[ id ].display_name ) );
			}
		} );
		Object.keys( was ).forEach( ( id ) => {
			if ( ! is[ id ] ) {
				/* translators: %s: user display name. */
				messages.push( sprintf( __( '%s stopped editing this post.', 'presence' ), was[ id ].display_name ) );
			}
		} );
		if ( messages.length > 3 ) {
			const more = messages.length - 3;
			messages.length = 3;
			/* translators: %s: number of further changes. */
			messages.push( sprintf( _n( 'And %s more change.', 'And %s more changes.', more, 'presence' ), formatNumber( more ) ) );
		}
		announce( messages.join( ' ' ) );
	}

	/* ------------------------------------------------------------------ *
	 * Page lifecycle.
	 * ------------------------------------------------------------------ */

	// Leaving (a navigation, a reload, a closed tab): one beacon gives this tab's entries a short
	// grace; the tab's next page restores them with its first tick, so others see nothing.
	window.addEventListener( 'pagehide', () => {
		tabs.leave();
	} );

	window.addEventListener( 'pageshow', ( event ) => {
		if ( event.persisted ) {
			// Back from the bfcache: the entries had the grace only, and the rooms may have moved on.
			seen = {};
			tabs.resumed();
			lastInput = Date.now();
			updateActivity();
			tabs.changed();
		}
	} );

	// The tabs' coordinator ticks (or has the leader tick) as soon as it knows its role.
	$( () => {
		window.setTimeout( () => {
			watchFrames();
			scheduleActivityCheck();
			renderSelf();
			if ( othersTotal > others.length ) {
				// The page has the first users only: "+N more" (a list paged over REST) is the script's.
				renderOnlineWidget();
			}
		}, 0 );
	} );

	// For tests and debugging.
	window.wpPresence = {
		tab: () => tabs.tab(),
		activity: () => activity,
		others: () => others.slice(),
		total: () => othersTotal,
		isLeader: () => tabs.isLeader(),
		mode: () => tabs.mode(),
		backedOff: () => tabs.backedOff(),
		peers: () => tabs.peerStates(),
	};
} )( window.jQuery, window, document );
