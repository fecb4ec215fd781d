/**
 * presence-api's JavaScript surface on `wp.hooks` and `wp.element` (no build step):
 *
 * - `wp.presence.usePresenceUsers( room, { includeSelf, fields } )`, a React hook returning
 *   `{ isPresent, isLoading, users: [ { id, displayName, avatarUrl } ], error }`. It polls
 *   `GET /wp-presence/v1/presence` (one poll per room, shared by every component watching it),
 *   so it sees exactly what the visibility policy lets the current user see.
 * - actions `presence-api.watchingRoom( room )` (a room starts being watched),
 *   `presence-api.collaborationStarted( room, users )` / `presence-api.collaborationEnded( room,
 *   users )` (a watched post room gains or loses its second person),
 *   `presence-api.surfaceUpdated( surface, data )` (a Heartbeat reply refreshed a live surface);
 * - filter `presence-api.liveSurfaces` (the surfaces that announce their updates).
 *
 * Strings from the server are plain text: render them as text (React does).
 */
( function ( wp, $, settings ) {
	'use strict';
	if ( ! wp || ! wp.hooks || ! wp.element || ! wp.apiFetch ) {
		return;
	}
	var hooks = wp.hooks;
	var element = wp.element;
	var selfId = parseInt( settings.userId, 10 ) || 0;
	var interval = Math.max( 2, parseInt( settings.interval, 10 ) || 15 ) * 1000;
	var rooms = {};

	/** Distinct people of REST items, in their order (newest first). */
	function people( items ) {
		var seen = {};
		var out = [];
		( items || [] ).forEach( function ( item ) {
			var id = parseInt( item.user_id, 10 ) || 0;
			if ( id > 0 && ! seen[ id ] ) {
				seen[ id ] = true;
				out.push( { id: id, displayName: String( item.display_name || '' ), avatarUrl: String( item.avatar_url || '' ) } );
			}
		} );
		return out;
	}

	function notify( watch ) {
		watch.listeners.slice().forEach( function ( listener ) {
			listener( { isLoading: watch.isLoading, people: watch.people, error: watch.error } );
		} );
	}

	function poll( room ) {
		var watch = rooms[ room ];
		if ( ! watch || ( document.hidden && ! watch.isLoading ) ) {
			return;
		}
		wp.apiFetch( { path: '/wp-presence/v1/presence?per_page=100&room=' + encodeURIComponent( room ) } ).then(
			function ( items ) {
				if ( rooms[ room ] !== watch ) {
					return;
				}
				var before = watch.people ? watch.people.length : 0;
				watch.people = people( items );
				watch.isLoading = false;
				watch.error = null;
				if ( 0 === room.indexOf( 'postType/' ) ) {
					if ( before < 2 && watch.people.length >= 2 ) {
						hooks.doAction( 'presence-api.collaborationStarted', room, watch.people );
					} else if ( before >= 2 && watch.people.length < 2 ) {
						hooks.doAction( 'presence-api.collaborationEnded', room, watch.people );
					}
				}
				notify( watch );
			},
			function ( error ) {
				if ( rooms[ room ] !== watch ) {
					return;
				}
				watch.isLoading = false;
				watch.error = error || { code: 'unknown' };
				notify( watch );
			}
		);
	}

	/**
	 * Watches a room: the listener gets `{ isLoading, people, error }` after each poll. Returns
	 * the function that stops watching.
	 */
	function watchRoom( room, listener ) {
		var watch = rooms[ room ];
		if ( ! watch ) {
			watch = rooms[ room ] = { listeners: [], people: null, isLoading: true, error: null, timer: null };
			hooks.doAction( 'presence-api.watchingRoom', room );
			watch.timer = setInterval( function () {
				poll( room );
			}, interval );
			poll( room );
		} else if ( ! watch.isLoading ) {
			listener( { isLoading: false, people: watch.people, error: watch.error } );
		}
		watch.listeners.push( listener );
		return function () {
			watch.listeners = watch.listeners.filter( function ( l ) {
				return l !== listener;
			} );
			if ( ! watch.listeners.length && rooms[ room ] === watch ) {
				clearInterval( watch.timer );
				delete rooms[ room ];
			}
		};
	}

	/** The React hook. */
	function usePresenceUsers( room, options ) {
		options = options || {};
		var includeSelf = !! options.includeSelf;
		var fields = Array.isArray( options.fields ) ? options.fields : null;
		var state = element.useState( { isLoading: !! room, people: null, error: null } );
		element.useEffect(
			function () {
				if ( ! room ) {
					return undefined;
				}
				return watchRoom( String( room ), state[ 1 ] );
			},
			[ room ]
		);
		var users = ( state[ 0 ].people || [] ).filter( function ( user ) {
			return includeSelf || user.id !== selfId;
		} );
		if ( fields ) {
			users = users.map( function ( user ) {
				var picked = {};
				fields.forEach( function ( field ) {
					if ( Object.prototype.hasOwnProperty.call( user, field ) ) {
						picked[ field ] = user[ field ];
					}
				} );
				return picked;
			} );
		}
		return { isPresent: users.length > 0, isLoading: state[ 0 ].isLoading, users: users, error: state[ 0 ].error };
	}

	// Live surfaces: a Heartbeat reply that carries a surface's data announces its update.
	if ( $ ) {
		$( document ).on( 'heartbeat-tick', function ( event, data ) {
			var surfaces = hooks.applyFilters( 'presence-api.liveSurfaces', [ 'admin-bar', 'active-posts' ] );
			var reply = ( data && data[ 'wp-presence' ] ) || {};
			var online = reply.rooms && reply.rooms[ 'admin/online' ] ? reply.rooms[ 'admin/online' ] : data && data[ 'presence-online' ];
			var posts = reply.active_posts || ( data && data[ 'presence-active-posts' ] );
			if ( online && surfaces.indexOf( 'admin-bar' ) !== -1 ) {
				hooks.doAction( 'presence-api.surfaceUpdated', 'admin-bar', online );
			}
			if ( posts && surfaces.indexOf( 'active-posts' ) !== -1 ) {
				hooks.doAction( 'presence-api.surfaceUpdated', 'active-posts', posts );
			}
		} );
	}

	wp.presence = Object.assign( wp.presence || {}, { usePresenceUsers: usePresenceUsers, watchRoom: watchRoom } );
}( window.wp, window.jQuery, window.wpPresenceHooks || {} ) );
