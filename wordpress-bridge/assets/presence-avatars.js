/**
 * Avatar fallback: an avatar image that cannot load (no Gravatar on an intranet, a privacy
 * plugin blocking it, an empty URL) becomes the user's initials on a disc coloured from the user
 * id. The name stays available as the disc's title (and its accessible name when the image had
 * one).
 *
 * One capturing `error` listener on document catches every avatar, including those drawn later
 * by presence.js; images already broken when this runs, and blank placeholders, are found by a
 * scan. Names come from the image (`data-display-name`, `alt`), from the ids the server and
 * Heartbeat replies name, or from the face's title.
 */
( function () {
	'use strict';

	var AVATAR = 'img.avatar, img.wp-presence-avatar__img, img[data-display-name]';
	var BLANK = '.wp-presence-avatar__img--blank:not([data-wp-presence-initials])';
	var names = Object.create( null );

	function learn( rows ) {
		if ( ! Array.isArray( rows ) ) {
			return;
		}
		rows.forEach( function ( row ) {
			if ( row && row.user_id > 0 && 'string' === typeof row.display_name && row.display_name ) {
				names[ String( row.user_id ) ] = row.display_name;
			}
		} );
	}

	var settings = window.wpPresenceAvatars || {};
	if ( settings.names && 'object' === typeof settings.names ) {
		Object.keys( settings.names ).forEach( function ( id ) {
			names[ id ] = String( settings.names[ id ] );
		} );
	}

	function holderOf( node ) {
		return node.closest ? node.closest( '[data-user-id]' ) : null;
	}

	function userIdOf( node ) {
		var holder = holderOf( node );
		var raw = node.getAttribute( 'data-wp-presence-user' ) || node.getAttribute( 'data-user-id' ) || ( holder && holder.getAttribute( 'data-user-id' ) ) || '';
		var id = parseInt( raw, 10 );
		return id > 0 ? id : 0;
	}

	function nameOf( node, id ) {
		var holder = holderOf( node );
		var name = node.getAttribute( 'data-display-name' ) || ( holder && holder.getAttribute( 'data-display-name' ) ) || '';
		if ( ! name && id && names[ String( id ) ] ) {
			name = names[ String( id ) ];
		}
		if ( ! name && node.getAttribute( 'alt' ) ) {
			name = node.getAttribute( 'alt' );
		}
		if ( ! name ) {
			var titled = node.closest ? node.closest( '[title]' ) : null;
			name = titled ? titled.getAttribute( 'title' ) : '';
		}
		return String( name || '' ).trim();
	}

	/** First letter (or digit) of the first and of the last word. */
	function initialsOf( name ) {
		var words = name
			.split( /\s+/ )
			.map( function ( word ) {
				return word.replace( /[^\p{L}\p{N}]/gu, '' );
			} )
			.filter( Boolean );
		if ( ! words.length ) {
			return '?';
		}
		var first = Array.from( words[ 0 ] )[ 0 ];
		var last = words.length > 1 ? Array.from( words[ words.length - 1 ] )[ 0 ] : '';
		return ( first + last ).toLocaleUpperCase();
	}

	/** Hue from the user id (golden angle, so neighbouring ids differ), dark enough for white text. */
	function colourOf( id, name ) {
		var seed = id;
		if ( ! seed ) {
			for ( var i = 0; i < name.length; i++ ) {
				seed = ( seed * 31 + name.charCodeAt( i ) ) % 100003;
			}
		}
		return 'hsl(' + ( ( seed * 137.508 ) % 360 ).toFixed( 1 ) + ', 55%, 30%)';
	}

	function sizeOf( node ) {
		var rect = node.getBoundingClientRect ? node.getBoundingClientRect() : null;
		var size = rect && rect.width > 0 ? Math.round( rect.width ) : parseInt( node.getAttribute( 'width' ), 10 );
		return size > 0 ? size : 32;
	}

	function paint( node, id, name, size ) {
		node.textContent = initialsOf( name );
		node.classList.add( 'wp-presence-initials' );
		node.setAttribute( 'data-wp-presence-initials', String( id ) );
		node.style.backgroundColor = colourOf( id, name );
		node.style.width = size + 'px';
		node.style.height = size + 'px';
		node.style.lineHeight = size + 'px';
		node.style.fontSize = Math.max( 8, Math.round( size * 0.42 ) ) + 'px';
		if ( name ) {
			node.setAttribute( 'title', name );
		}
	}

	function replaceImage( img ) {
		if ( img.hasAttribute( 'data-wp-presence-fallback' ) || ! img.parentNode ) {
			return;
		}
		var id = userIdOf( img );
		var name = nameOf( img, id );
		var disc = document.createElement( 'span' );
		disc.className = img.className;
		if ( id ) {
			disc.setAttribute( 'data-wp-presence-user', String( id ) );
		}
		if ( img.getAttribute( 'alt' ) ) {
			disc.setAttribute( 'role', 'img' );
			disc.setAttribute( 'aria-label', img.getAttribute( 'alt' ) );
		} else {
			disc.setAttribute( 'aria-hidden', 'true' ); // As decorative as the image was; the name is beside it.
		}
		paint( disc, id, name, sizeOf( img ) );
		img.setAttribute( 'data-wp-presence-fallback', '1' );
		img.parentNode.insertBefore( disc, img );
	}

	function fillBlank( node ) {
		var id = userIdOf( node );
		paint( node, id, nameOf( node, id ), sizeOf( node ) );
	}

	function isBroken( img ) {
		return img.complete && img.naturalWidth === 0 && !! img.currentSrc;
	}

	function scan( root ) {
		if ( ! root || ! root.querySelectorAll ) {
			return;
		}
		Array.prototype.forEach.call( root.querySelectorAll( AVATAR ), function ( img ) {
			if ( isBroken( img ) || ! img.getAttribute( 'src' ) ) {
				replaceImage( img );
			}
		} );
		Array.prototype.forEach.call( root.querySelectorAll( BLANK ), fillBlank );
	}

	document.addEventListener(
		'error',
		function ( event ) {
			var img = event.target;
			if ( img && 'IMG' === img.tagName && img.matches( AVATAR ) ) {
				replaceImage( img );
			}
		},
		true
	);

	function start() {
		scan( document );
		// Blank placeholders (no avatar URL at all) drawn later by presence.js.
		if ( window.MutationObserver ) {
			new window.MutationObserver( function ( records ) {
				records.forEach( function ( record ) {
					Array.prototype.forEach.call( record.addedNodes, function ( node ) {
						if ( 1 !== node.nodeType ) {
							return;
						}
						if ( node.matches( BLANK ) ) {
							fillBlank( node );
						} else if ( node.querySelector( BLANK ) ) {
							Array.prototype.forEach.call( node.querySelectorAll( BLANK ), fillBlank );
						}
					} );
				} );
			} ).observe( document.body, { childList: true, subtree: true } );
		}
		if ( window.jQuery ) {
			// Names of users who come online after the page loaded (docs/CONTRACT.md §3 shapes).
			window.jQuery( document ).on( 'heartbeat-tick', function ( event, data ) {
				var reply = data && data[ 'wp-presence' ];
				if ( reply && reply.rooms && 'object' === typeof reply.rooms ) {
					Object.keys( reply.rooms ).forEach( function ( room ) {
						learn( reply.rooms[ room ] && reply.rooms[ room ].users );
					} );
				}
				if ( reply && reply.active_posts && Array.isArray( reply.active_posts.posts ) ) {
					reply.active_posts.posts.forEach( function ( post ) {
						learn( post && post.editors );
					} );
				}
				learn( data && data[ 'presence-online' ] );
			} );
		}
	}

	if ( 'loading' === document.readyState ) {
		document.addEventListener( 'DOMContentLoaded', start );
	} else {
		start();
	}
	window.addEventListener( 'load', function () {
		scan( document );
	} );
} )();
