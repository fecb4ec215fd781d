/**
 * The stale-screen warning: sends the screen's key and the revision the page was rendered with
 * on each Heartbeat (`wp-presence-screen`), and shows "X updated this screen" when the reply
 * says someone else saved it. The notice sits in a polite live region, offers a reload, and
 * comes back after a dismissal when the screen is saved again.
 */
( function ( $ ) {
	'use strict';

	var settings = window.wpPresenceStale;
	if ( ! settings || ! $ || ! settings.key ) {
		return;
	}
	var key = String( settings.key );
	var rev = Number( settings.rev ) || 0;

	// A settings page saves the group its form names; the server guessed it from the page slug.
	var group = document.querySelector( 'form[action="options.php"] input[name="option_page"]' );
	if ( group && /^[A-Za-z0-9_-]{1,100}$/.test( group.value ) && 'options:' + group.value !== key && 0 === key.indexOf( 'options:' ) ) {
		key = 'options:' + group.value;
		rev = Number( settings.at ) || 0;
	}

	var region = null;

	function ensureRegion() {
		if ( region ) {
			return region;
		}
		region = document.createElement( 'div' );
		region.className = 'wp-presence-stale-region';
		region.setAttribute( 'role', 'status' );
		region.setAttribute( 'aria-live', 'polite' );
		var anchor = document.querySelector( '#wpbody-content .wrap hr.wp-header-end' ) || document.querySelector( '#wpbody-content .wrap > h1, #wpbody-content .wrap > h2' );
		if ( anchor && anchor.parentNode ) {
			anchor.parentNode.insertBefore( region, anchor.nextSibling );
		} else {
			( document.getElementById( 'wpbody-content' ) || document.body ).prepend( region );
		}
		return region;
	}

	function inBlockEditor() {
		return !! ( window.wp && window.wp.data && window.wp.data.select && window.wp.data.select( 'core/editor' ) && window.wp.data.dispatch( 'core/notices' ) );
	}

	function show( message ) {
		if ( inBlockEditor() ) {
			window.wp.data.dispatch( 'core/notices' ).createWarningNotice( message, {
				id: 'wp-presence-stale',
				isDismissible: true,
				actions: [ { label: settings.reload, onClick: reload } ],
			} );
			return;
		}
		var box = ensureRegion();
		box.textContent = '';
		var notice = document.createElement( 'div' );
		notice.className = 'notice notice-warning is-dismissible wp-presence-stale';
		var p = document.createElement( 'p' );
		var text = document.createElement( 'span' );
		text.className = 'wp-presence-stale__text';
		text.textContent = message;
		var button = document.createElement( 'button' );
		button.type = 'button';
		button.className = 'button button-small wp-presence-stale__reload';
		button.textContent = settings.reload;
		button.addEventListener( 'click', reload );
		p.appendChild( text );
		p.appendChild( document.createTextNode( ' ' ) );
		p.appendChild( button );
		var dismiss = document.createElement( 'button' );
		dismiss.type = 'button';
		dismiss.className = 'notice-dismiss wp-presence-stale__dismiss';
		var label = document.createElement( 'span' );
		label.className = 'screen-reader-text';
		label.textContent = settings.dismiss;
		dismiss.appendChild( label );
		dismiss.addEventListener( 'click', function () {
			box.textContent = '';
		} );
		notice.appendChild( p );
		notice.appendChild( dismiss );
		box.appendChild( notice );
	}

	function reload() {
		window.location.reload();
	}

	$( document ).on( 'heartbeat-send', function ( event, data ) {
		data[ 'wp-presence-screen' ] = { key: key, rev: rev };
	} );

	$( document ).on( 'heartbeat-tick', function ( event, data ) {
		var reply = data && data[ 'wp-presence-screen' ];
		if ( ! reply || reply.key !== key || ! ( Number( reply.rev ) > rev ) || 'string' !== typeof reply.message ) {
			return;
		}
		rev = Number( reply.rev );
		show( reply.message );
	} );

	// The region exists before anything is announced into it.
	if ( 'loading' === document.readyState ) {
		document.addEventListener( 'DOMContentLoaded', ensureRegion );
	} else {
		ensureRegion();
	}
} )( window.jQuery );
